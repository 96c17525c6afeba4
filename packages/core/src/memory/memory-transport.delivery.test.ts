import { describe, expect, it } from 'vitest';
import { OrderCreated } from '../../test/fixtures';
import { deferred, waitFor } from '../../test/helpers';
import { createEvent } from '../envelope/create';
import type { EventEnvelope } from '../envelope/types';
import { ErrorCodes } from '../errors/codes';
import { isRustokError } from '../errors/rustok-error';
import type { HandlerContext } from '../transport/types';
import { MemoryTransport } from './memory-transport';
import type { DeadLetter } from './options';

function order(n: number, headers: Record<string, string> = {}): EventEnvelope {
  return createEvent(OrderCreated, { tenantId: 't', headers, payload: { orderId: `o-${n}`, amount: n } });
}

const fastRetry = { maxAttempts: 3, backoff: 'fixed', initialDelayMs: 1 } as const;

describe('MemoryTransport: retries and timeouts', () => {
  it('retries a failing handler with attempt, redelivered and traceparent in the context', async () => {
    await using bus = new MemoryTransport({ retry: fastRetry });
    const contexts: HandlerContext[] = [];
    const done = deferred();
    await bus.subscribe('g', {
      handler: (_event, ctx) => {
        contexts.push(ctx);
        if (ctx.attempt < 3) throw new Error(`fail ${ctx.attempt}`);
        done.resolve();
      },
    });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await bus.publish(order(1, { traceparent }));
    await done.promise;
    expect(contexts.map((c) => [c.attempt, c.redelivered, c.traceparent, c.group])).toEqual([
      [1, false, traceparent, 'g'],
      [2, true, traceparent, 'g'],
      [3, true, traceparent, 'g'],
    ]);
    expect(contexts.every((c) => c.signal instanceof AbortSignal && !c.signal.aborted)).toBe(true);
    await waitFor(() => bus.backpressure().groups.g?.inFlight === 0);
    expect((await bus.health()).details.groups).toMatchObject({ g: { retries: 2, delivered: 1 } });
  });

  it('reports an event that failed every attempt and goes on with the next one', async () => {
    const letters: DeadLetter[] = [];
    await using bus = new MemoryTransport({ onDeadLetter: (l) => letters.push(l) });
    const handled: number[] = [];
    await bus.subscribe('g', {
      retry: { maxAttempts: 2, initialDelayMs: 1 },
      handler: (event) => {
        const n = (event.payload as { amount: number }).amount;
        if (n === 1) throw new Error('poison');
        handled.push(n);
      },
    });
    await bus.publishBatch([order(1), order(2)]);
    await waitFor(() => handled.length === 1 && letters.length === 1);
    expect(letters[0]).toMatchObject({ group: 'g', attempts: 2 });
    expect((letters[0]!.error as Error).message).toBe('poison');
    expect((letters[0]!.event.payload as { amount: number }).amount).toBe(1);
    expect(handled).toEqual([2]);
  });

  it('counts a handler over handlerTimeoutMs as a failed attempt and aborts its signal', async () => {
    const letters: DeadLetter[] = [];
    await using bus = new MemoryTransport({ onDeadLetter: (l) => letters.push(l), retry: fastRetry });
    const signals: AbortSignal[] = [];
    const done = deferred();
    await bus.subscribe('g', {
      handlerTimeoutMs: 30,
      handler: async (_event, ctx) => {
        signals.push(ctx.signal);
        if (ctx.attempt === 1) await new Promise((r) => setTimeout(r, 1_000));
        done.resolve();
      },
    });
    await bus.publish(order(1));
    await done.promise;
    expect(signals).toHaveLength(2);
    expect(signals[0]!.aborted).toBe(true);
    expect(isRustokError(signals[0]!.reason) && signals[0]!.reason.code).toBe(ErrorCodes.TIMEOUT);
    expect(signals[1]!.aborted).toBe(false);
    expect(letters).toEqual([]);
  });

  it('dead-letters with TIMEOUT when every attempt times out', async () => {
    const letters: DeadLetter[] = [];
    await using bus = new MemoryTransport({
      onDeadLetter: (l) => letters.push(l),
      retry: { ...fastRetry, maxAttempts: 2 },
      handlerTimeoutMs: 20,
    });
    await bus.subscribe('g', {
      handler: (_e, ctx) => new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r())),
    });
    await bus.publish(order(1));
    await waitFor(() => letters.length === 1);
    expect(isRustokError(letters[0]!.error) && letters[0]!.error.code).toBe(ErrorCodes.TIMEOUT);
  });
});

describe('MemoryTransport: close', () => {
  it('drains accepted events, then rejects publishes and subscriptions with CLOSED', async () => {
    const bus = new MemoryTransport();
    const gate = deferred();
    const handled: number[] = [];
    await bus.subscribe('g', {
      handler: async (event) => {
        await gate.promise;
        handled.push((event.payload as { amount: number }).amount);
      },
    });
    await bus.publishBatch([order(1), order(2), order(3)]);
    await waitFor(() => bus.backpressure().groups.g?.inFlight === 1);

    let closed = false;
    const closing = bus.close().then(() => {
      closed = true;
    });
    const late = await bus.publish(order(4)).catch((e: unknown) => e);
    expect(isRustokError(late) && late.code).toBe(ErrorCodes.CLOSED);
    const lateSub = await bus.subscribe('h', { handler: () => {} }).catch((e: unknown) => e);
    expect(isRustokError(lateSub) && lateSub.code).toBe(ErrorCodes.CLOSED);
    await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(false);

    gate.resolve();
    await closing;
    expect(handled).toEqual([1, 2, 3]);
    expect(bus.close()).toBe(bus.close());
    const batch = await bus.publishBatch([order(5)]).catch((e: unknown) => e);
    expect(isRustokError(batch) && batch.code).toBe(ErrorCodes.CLOSED);
  });

  it('a closing subscription leaves the queue to the others of its group', async () => {
    await using bus = new MemoryTransport();
    const gate = deferred();
    const byWorker: Record<string, number[]> = { a: [], b: [] };
    const subs = [];
    for (const worker of ['a', 'b']) {
      subs.push(
        await bus.subscribe('g', {
          handler: async (event) => {
            await gate.promise;
            byWorker[worker]!.push((event.payload as { amount: number }).amount);
          },
        }),
      );
    }
    await bus.publishBatch([1, 2, 3, 4, 5, 6].map((n) => order(n)));
    await waitFor(() => bus.backpressure().groups.g?.inFlight === 2);
    const closingA = subs[0]!.close();
    gate.resolve();
    await closingA;
    await waitFor(() => byWorker.a!.length + byWorker.b!.length === 6);
    expect(byWorker.a).toHaveLength(1);
    expect(byWorker.b).toHaveLength(5);
  });

  it('the last subscription of a group drains its queue before leaving, then the group is gone', async () => {
    const bus = new MemoryTransport();
    const gate = deferred();
    const handled: number[] = [];
    const sub = await bus.subscribe('g', {
      handler: async (event) => {
        await gate.promise;
        handled.push((event.payload as { amount: number }).amount);
      },
    });
    await bus.publishBatch([1, 2, 3].map((n) => order(n)));
    const closing = sub.close();
    // the group no longer takes new events
    const error = await bus.publish(order(4)).catch((e: unknown) => e);
    expect(isRustokError(error) && error.code).toBe(ErrorCodes.NO_SUBSCRIBERS);
    gate.resolve();
    await closing;
    expect(handled).toEqual([1, 2, 3]);
    expect(bus.backpressure().groups).toEqual({});
    await bus.close();
  });

  it('supports await using for transports and subscriptions', async () => {
    const handled: string[] = [];
    let outer: MemoryTransport | undefined;
    {
      await using bus = new MemoryTransport();
      outer = bus;
      await using _sub = await bus.subscribe('g', { handler: (e) => void handled.push(e.id) });
      await bus.publish(order(1));
    }
    expect(handled).toHaveLength(1);
    expect(outer.closed).toBe(true);
  });
});
