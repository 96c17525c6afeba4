import { describe, expect, it } from 'vitest';
import { OrderCreated } from '../../test/fixtures';
import { deferred, waitFor } from '../../test/helpers';
import { createEvent } from '../envelope/create';
import type { EventEnvelope } from '../envelope/types';
import { ErrorCodes } from '../errors/codes';
import { isRustokError } from '../errors/rustok-error';
import type { Metrics } from '../hooks/index';
import type { BackpressureChange } from './backpressure';
import { MemoryTransport } from './memory-transport';

function order(n: number): EventEnvelope {
  return createEvent(OrderCreated, { tenantId: 't', payload: { orderId: `o-${n}`, amount: n } });
}

/** A transport whose group `slow` handles one event at a time until `gate` opens. */
async function blocked(options: ConstructorParameters<typeof MemoryTransport>[0]) {
  const bus = new MemoryTransport(options);
  const gate = deferred();
  const handled: number[] = [];
  await bus.subscribe('slow', {
    handler: async (event) => {
      await gate.promise;
      handled.push((event.payload as { amount: number }).amount);
    },
  });
  // the first event is taken by the handler at once; later ones queue up behind it
  await bus.publish(order(0));
  await waitFor(() => bus.backpressure().groups.slow?.inFlight === 1);
  return { bus, gate, handled };
}

describe('MemoryTransport: overflow and backpressure', () => {
  it("'reject' (default) throws BACKPRESSURE once a group's queue is full", async () => {
    const { bus, gate, handled } = await blocked({ capacity: 10 });
    for (let i = 1; i <= 10; i++) await bus.publish(order(i));
    const error = await bus.publish(order(11)).catch((e: unknown) => e);
    expect(isRustokError(error) && error.code).toBe(ErrorCodes.BACKPRESSURE);
    expect(isRustokError(error) && error.retriable).toBe(true);
    expect(isRustokError(error) && error.details).toMatchObject({ group: 'slow', queued: 10, capacity: 10 });
    gate.resolve();
    await waitFor(() => handled.length === 11);
    expect(handled).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await bus.close();
  });

  it('rejects a whole batch that does not fit, in every group', async () => {
    const { bus, gate, handled } = await blocked({ capacity: 5 });
    const fast: string[] = [];
    await bus.subscribe('fast', { handler: (e) => void fast.push(e.id) });
    await bus.publishBatch([order(1), order(2)]);
    const error = await bus.publishBatch([order(3), order(4), order(5), order(6)]).catch((e: unknown) => e);
    expect(isRustokError(error) && error.code).toBe(ErrorCodes.BACKPRESSURE);
    expect(bus.backpressure().groups.slow?.queued).toBe(2);
    gate.resolve();
    await waitFor(() => handled.length === 3 && fast.length === 2);
    await bus.close();
    // the fast group never saw the rejected batch either
    expect(fast).toHaveLength(2);
  });

  it("'drop-oldest' keeps the newest events and counts the dropped ones", async () => {
    const counters: Record<string, number> = {};
    const metrics: Metrics = {
      increment: (name, value = 1) => {
        counters[name] = (counters[name] ?? 0) + value;
      },
      observe: () => {},
      gauge: () => {},
    };
    const { bus, gate, handled } = await blocked({ capacity: 5, overflow: 'drop-oldest', metrics });
    for (let i = 1; i <= 8; i++) await bus.publish(order(i));
    expect(bus.backpressure().groups.slow).toMatchObject({ queued: 5, dropped: 3, state: 'critical' });
    expect(counters['rustok.memory.dropped']).toBe(3);
    gate.resolve();
    await waitFor(() => handled.length === 6);
    expect(handled).toEqual([0, 4, 5, 6, 7, 8]);
    expect((await bus.health()).details.groups).toMatchObject({ slow: { dropped: 3 } });
    await bus.close();
  });

  it('moves normal → warning → critical → warning → normal and reports it', async () => {
    const changes: BackpressureChange[] = [];
    const { bus, gate, handled } = await blocked({
      capacity: 10,
      onBackpressureChange: (c) => changes.push(c),
    });
    for (let i = 1; i <= 6; i++) await bus.publish(order(i));
    expect(bus.backpressure().state).toBe('normal');
    await bus.publish(order(7));
    expect(bus.backpressure()).toMatchObject({ state: 'warning', groups: { slow: { queued: 7 } } });
    expect((await bus.health()).status).toBe('degraded');
    await bus.publish(order(8));
    await bus.publish(order(9));
    expect(bus.backpressure().state).toBe('critical');
    expect((await bus.health()).details.backpressure).toBe('critical');
    gate.resolve();
    await waitFor(() => handled.length === 10);
    expect(bus.backpressure().state).toBe('normal');
    expect((await bus.health()).status).toBe('healthy');
    expect(changes.map((c) => `${c.previous}→${c.current}@${c.queued}`)).toEqual([
      'normal→warning@7',
      'warning→critical@9',
      'critical→warning@8',
      'warning→normal@6',
    ]);
    expect(changes.every((c) => c.group === 'slow' && c.capacity === 10)).toBe(true);
    await bus.close();
  });

  it('honours custom thresholds', async () => {
    const { bus, gate } = await blocked({ capacity: 4, warningRatio: 0.25, criticalRatio: 0.5 });
    await bus.publish(order(1));
    expect(bus.backpressure().state).toBe('warning');
    await bus.publish(order(2));
    expect(bus.backpressure().state).toBe('critical');
    gate.resolve();
    await bus.close();
  });
});
