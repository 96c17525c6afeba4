import { describe, expect, it } from 'vitest';
import { fixtureRegistry, OrderCreated, thrown, validOrder } from '../../test/fixtures';
import { deferred, waitFor } from '../../test/helpers';
import { createEvent } from '../envelope/create';
import type { EventEnvelope } from '../envelope/types';
import { ErrorCodes } from '../errors/codes';
import { type RustokError, isRustokError } from '../errors/rustok-error';
import { ValidationCodes } from '../validation/codes';
import { MemoryTransport } from './memory-transport';

function order(n: number, tenantId = 'tenant-a'): EventEnvelope {
  return createEvent(OrderCreated, { tenantId, payload: { orderId: `o-${n}`, amount: n } });
}

async function rejection(promise: Promise<unknown>): Promise<RustokError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  if (!isRustokError(error)) throw error;
  return error;
}

describe('MemoryTransport: fan-out and competing consumers', () => {
  it('delivers every event to every group, in order', async () => {
    await using bus = new MemoryTransport();
    const seen: Record<string, string[]> = { billing: [], audit: [] };
    for (const group of ['billing', 'audit'] as const) {
      await bus.subscribe(group, {
        handler: (event, ctx) => {
          expect(ctx.group).toBe(group);
          seen[group]!.push(event.id);
        },
      });
    }
    const events = Array.from({ length: 20 }, (_, i) => order(i));
    for (const event of events) await bus.publish(event);
    await waitFor(() => seen.billing!.length === 20 && seen.audit!.length === 20);
    expect(seen.billing).toEqual(events.map((e) => e.id));
    expect(seen.audit).toEqual(events.map((e) => e.id));
    expect(bus.reliability).toBe('in-memory');
  });

  it('shares one group between its subscriptions, each event handled once', async () => {
    await using bus = new MemoryTransport();
    const gate = deferred();
    const byWorker: Record<string, string[]> = { w1: [], w2: [], w3: [] };
    for (const worker of Object.keys(byWorker)) {
      await bus.subscribe('workers', {
        handler: async (event) => {
          byWorker[worker]!.push(event.id);
          await gate.promise;
        },
      });
    }
    await bus.publishBatch(Array.from({ length: 30 }, (_, i) => order(i)));
    // three workers of concurrency 1: three events in flight, the rest queued
    await waitFor(() => Object.values(byWorker).flat().length === 3);
    expect(Object.values(byWorker).map((ids) => ids.length)).toEqual([1, 1, 1]);
    expect(bus.backpressure().groups.workers).toMatchObject({ queued: 27, inFlight: 3 });
    gate.resolve();
    await waitFor(() => Object.values(byWorker).flat().length === 30);
    const all = Object.values(byWorker).flat();
    expect(new Set(all).size).toBe(30);
    for (const ids of Object.values(byWorker)) expect(ids.length).toBeGreaterThan(0);
  });

  it('runs up to `concurrency` handlers of one subscription at once', async () => {
    await using bus = new MemoryTransport();
    const gate = deferred();
    let running = 0;
    let peak = 0;
    await bus.subscribe('g', {
      concurrency: 4,
      handler: async () => {
        running++;
        peak = Math.max(peak, running);
        await gate.promise;
        running--;
      },
    });
    await bus.publishBatch(Array.from({ length: 10 }, (_, i) => order(i)));
    await waitFor(() => running === 4);
    gate.resolve();
    await waitFor(() => bus.backpressure().groups.g?.inFlight === 0 && running === 0);
    expect(peak).toBe(4);
  });

  it('routes by type filters and skips types a subscription does not want', async () => {
    await using bus = new MemoryTransport();
    const got: string[] = [];
    await bus.subscribe('orders-only', { types: ['order.created'], handler: (e) => void got.push(e.type) });
    const other = { ...validOrder(), type: 'order.shipped' };
    const error = await rejection(bus.publish(other as EventEnvelope));
    expect(error.code).toBe(ErrorCodes.NO_SUBSCRIBERS);
    await bus.publish(order(1));
    await waitFor(() => got.length === 1);
    expect(got).toEqual(['order.created']);
  });
});

describe('MemoryTransport: publishing', () => {
  it('rejects a publish with no subscriber with NO_SUBSCRIBERS', async () => {
    await using bus = new MemoryTransport();
    const error = await rejection(bus.publish(order(1)));
    expect(error.code).toBe(ErrorCodes.NO_SUBSCRIBERS);
    expect(error.message).toContain('order.created');
  });

  it('validates, against the registry when configured', async () => {
    await using plain = new MemoryTransport();
    await plain.subscribe('g', { handler: () => {} });
    expect((await rejection(plain.publish({ ...order(1), id: 'x' }))).code).toBe(ValidationCodes.ID);
    // without a registry the payload is not checked
    await plain.publish({ ...order(1), payload: 'free-form' });

    await using strict = new MemoryTransport({ registry: fixtureRegistry() });
    await strict.subscribe('g', { handler: () => {} });
    const error = await rejection(strict.publish({ ...order(1), payload: 'free-form' }));
    expect(error.code).toBe(ValidationCodes.PAYLOAD);
  });

  it('publishBatch publishes none when one envelope is invalid', async () => {
    await using bus = new MemoryTransport();
    const got: string[] = [];
    await bus.subscribe('g', { handler: (e) => void got.push(e.id) });
    const batch = [order(1), order(2), { ...order(3), tenantId: '' }, order(4)];
    const error = await rejection(bus.publishBatch(batch));
    expect(error.code).toBe(ValidationCodes.TENANT);
    expect(error.details).toMatchObject({ index: 2, field: 'tenantId' });
    expect(error.message).toMatch(/^envelopes\[2\]/);
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([]);
    expect(bus.backpressure().groups.g?.queued).toBe(0);

    const receipts = await bus.publishBatch([order(5), order(6)]);
    expect(receipts.map((r) => typeof r.id)).toEqual(['string', 'string']);
    await waitFor(() => got.length === 2);
    expect(await bus.publishBatch([])).toEqual([]);
  });

  it('delivers frozen copies, not the publisher’s object', async () => {
    await using bus = new MemoryTransport();
    const received = deferred<EventEnvelope>();
    await bus.subscribe('g', { handler: (e) => received.resolve(e) });
    const input = order(1);
    await bus.publish(input);
    const event = await received.promise;
    expect(event).toEqual(input);
    expect(event).not.toBe(input);
    expect(Object.isFrozen(event)).toBe(true);
    expect(Object.isFrozen(event.headers)).toBe(true);
  });
});

describe('MemoryTransport: options and health', () => {
  it('rejects bad options with VALIDATION naming the field', () => {
    const error = thrown(() => new MemoryTransport({ capacity: 0 })) as RustokError;
    expect(error.code).toBe(ErrorCodes.VALIDATION);
    expect(error.details.field).toBe('capacity');
    expect(
      (thrown(() => new MemoryTransport({ warningRatio: 0.9, criticalRatio: 0.8 })) as RustokError).details
        .field,
    ).toBe('warningRatio');
  });

  it('rejects bad subscribe arguments', async () => {
    await using bus = new MemoryTransport();
    expect((await rejection(bus.subscribe('', { handler: () => {} }))).code).toBe(ErrorCodes.VALIDATION);
    const noHandler = bus.subscribe('g', {} as never);
    expect((await rejection(noHandler)).details.field).toBe('handler');
    expect((await rejection(bus.subscribe('g', { handler: () => {}, concurrency: 0 }))).code).toBe(
      ErrorCodes.VALIDATION,
    );
  });

  it('keeps working when logger, metrics or callbacks throw', async () => {
    const boom = (): never => {
      throw new Error('hook failure');
    };
    await using bus = new MemoryTransport({
      capacity: 2,
      retry: { maxAttempts: 2, initialDelayMs: 1 },
      logger: { debug: boom, info: boom, warn: boom, error: boom },
      metrics: { increment: boom, observe: boom, gauge: boom },
      onBackpressureChange: boom,
      onDeadLetter: boom,
    });
    const handled: number[] = [];
    await bus.subscribe('g', {
      handler: (event) => {
        const n = (event.payload as { amount: number }).amount;
        if (n === 2) throw new Error('poison');
        handled.push(n);
      },
    });
    await bus.publishBatch([order(1), order(2)]);
    await bus.publish(order(3));
    await waitFor(() => handled.length === 2);
    await waitFor(() => bus.backpressure().groups.g?.inFlight === 0);
    expect(handled).toEqual([1, 3]);
    expect((await bus.health()).details.groups).toMatchObject({ g: { deadLettered: 1, delivered: 2 } });
  });

  it('reports health with per-group counters', async () => {
    const bus = new MemoryTransport();
    const done = deferred();
    await bus.subscribe('g', { handler: () => done.resolve() });
    await bus.publish(order(1));
    await done.promise;
    await waitFor(() => bus.backpressure().groups.g?.inFlight === 0);
    const live = await bus.health();
    expect(live).toMatchObject({
      status: 'healthy',
      reliability: 'in-memory',
      details: {
        closed: false,
        published: 1,
        backpressure: 'normal',
        capacity: 10_000,
        overflow: 'reject',
        groups: { g: { delivered: 1, deadLettered: 0, subscriptions: 1, queued: 0, state: 'normal' } },
      },
    });
    await bus.close();
    expect(await bus.health()).toMatchObject({ status: 'unhealthy', details: { closed: true } });
  });
});
