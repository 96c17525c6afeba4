import { afterEach, describe, expect, it } from 'vitest';
import type { ReplayedEvent, ReplayOptions } from '../src/index';
import { type Harness, openHarness, order, paid, waitFor } from './helpers';

async function collect(h: Harness, options: ReplayOptions): Promise<ReplayedEvent[]> {
  const out: ReplayedEvent[] = [];
  for await (const e of h.transport.replay(options)) out.push(e);
  return out;
}

describe('replay on the embedded engine', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.cleanup();
    h = undefined;
  });

  it('replays by earliest, offset and timestamp with filters, without touching group offsets', async () => {
    h = await openHarness({ topics: { domain: { partitions: 2 } } });
    const { transport, connector } = h;
    const base = Date.UTC(2024, 0, 1);
    const events = Array.from({ length: 20 }, (_, i) =>
      i % 4 === 3 ? paid(`tenant-${i % 3}`, i) : order(`tenant-${i % 3}`, i, new Date(base + i * 60_000)),
    );
    for (const event of events) await transport.publish(event);

    const seen: string[] = [];
    const sub = await transport.subscribe('projector', { handler: (e) => void seen.push(e.id) });
    await waitFor(() => seen.length === 20);
    await sub.close();
    const committedBefore = await transport.lag('projector');

    const all = await collect(h, { topic: 'domain', from: 'earliest' });
    expect(all.map((r) => r.event.id).sort()).toEqual(events.map((e) => e.id).sort());
    for (const p of [0, 1]) {
      const offsets = all.filter((r) => r.partition === p).map((r) => r.offset);
      expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : 1)));
    }
    expect(all.findIndex((r) => r.partition === 1)).toBeGreaterThan(all.findLastIndex((r) => r.partition === 0));

    const fromOffset = await collect(h, { topic: 'domain', from: { offset: 3n }, to: { offset: 5n } });
    expect(fromOffset.every((r) => r.offset >= 3n && r.offset <= 5n)).toBe(true);

    // Events were appended one after the other, so broker time orders them across partitions.
    const midMicros = all.find((r) => r.event.id === events[10]!.id)!.timestamp;
    const fromTime = await collect(h, { topic: 'domain', from: { timestamp: midMicros } });
    expect(fromTime.map((r) => r.event.id).sort()).toEqual(events.slice(10).map((e) => e.id).sort());

    const tenant = await collect(h, { topic: 'domain', tenantId: 'tenant-1', types: ['order.created'] });
    expect(tenant.map((r) => r.event.id)).toEqual(
      events.filter((e) => e.tenantId === 'tenant-1' && e.type === 'order.created').map((e) => e.id),
    );

    const after = await collect(h, { topic: 'domain', occurredAfter: new Date(base + 15 * 60_000) });
    expect(after.map((r) => r.event.id).sort()).toEqual(
      events
        .filter((e) => new Date(e.occurredAt).getTime() > base + 15 * 60_000)
        .map((e) => e.id)
        .sort(),
    );

    expect(await transport.lag('projector')).toEqual(committedBefore);
    for (const topic of ['domain', 'system', 'dlq']) {
      expect((await connector.listGroups('rustok', topic)).map((g) => g.name)).toEqual(
        topic === 'domain' ? ['projector'] : [],
      );
    }
  });
});
