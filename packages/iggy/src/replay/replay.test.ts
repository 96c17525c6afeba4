import { validateEnvelope } from '@rustok/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { MessageCodec } from '../codec/message-codec';
import { tenantPartition } from '../partitioning/tenant-partition';
import { sampleEnvelope } from '../testing/envelopes';
import { FakeConnector } from '../testing/fake-connector';
import { type ReplayedEvent, replay } from './replay';

const S = 'rustok';
const codec = new MessageCodec({ codec: 'json', validate: (v) => validateEnvelope(v) });

async function collect(it: AsyncIterable<ReplayedEvent>): Promise<ReplayedEvent[]> {
  const out: ReplayedEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

function id(n: number): string {
  return `0190f3a0-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
}

describe('replay', () => {
  let connector: FakeConnector;
  const deps = () => ({ connector, stream: S, decode: (m: Parameters<typeof codec.decode>[0]) => codec.decode(m) });

  beforeEach(async () => {
    connector = new FakeConnector();
    await connector.ensureStream(S);
    await connector.ensureTopic(S, 'domain', { partitions: 2 });
    const tenants = ['tenant-a', 'tenant-b', 'tenant-c', 'tenant-d'];
    for (let n = 0; n < 12; n++) {
      const tenantId = tenants[n % tenants.length]!;
      const envelope = sampleEnvelope({
        id: id(n + 1),
        tenantId,
        type: n % 3 === 0 ? 'order.paid' : 'order.created',
        occurredAt: new Date(Date.UTC(2024, 0, 1, 0, n)).toISOString(),
        payload: { n },
      });
      await connector.send(S, 'domain', tenantPartition(tenantId, 2), [codec.encode(envelope).message]);
    }
  });

  it('replays everything from earliest, partition by partition in offset order', async () => {
    const events = await collect(replay(deps(), { topic: 'domain', from: 'earliest' }));
    expect(events).toHaveLength(12);
    const positions = events.map((e) => [e.partition, e.offset]);
    const sorted = [...positions].sort((a, b) => Number(a[0]) - Number(b[0]) || Number(a[1]! as bigint) - Number(b[1]! as bigint));
    expect(positions).toEqual(sorted);
    for (const e of events) {
      expect(e.partition).toBe(tenantPartition(e.event.tenantId, 2));
      expect(typeof e.timestamp).toBe('bigint');
    }
  });

  it('starts at an offset and stops at an inclusive offset per partition', async () => {
    const events = await collect(replay(deps(), { topic: 'domain', from: { offset: 1 }, to: { offset: 2n } }));
    expect(events.every((e) => e.offset >= 1n && e.offset <= 2n)).toBe(true);
    expect(events.length).toBe(4);
  });

  it('starts at a broker timestamp and stops at one (inclusive)', async () => {
    const all = await collect(replay(deps(), { topic: 'domain' }));
    const sortedTimes = all.map((e) => e.timestamp).sort((a, b) => (a < b ? -1 : 1));
    const from = sortedTimes[4]!;
    const to = sortedTimes[8]!;
    const events = await collect(replay(deps(), { topic: 'domain', from: { timestamp: from }, to: { timestamp: to } }));
    expect(events.map((e) => e.timestamp).sort((a, b) => (a < b ? -1 : 1))).toEqual(sortedTimes.slice(4, 9));
  });

  it('filters by tenant (reading only its partition), types and occurredAfter', async () => {
    const tenant = await collect(replay(deps(), { topic: 'domain', tenantId: 'tenant-b' }));
    expect(tenant.map((e) => e.event.payload)).toEqual([{ n: 1 }, { n: 5 }, { n: 9 }]);
    const polled = new Set(connector.polls.map((p) => p.options.partition));
    expect(polled).toEqual(new Set([tenantPartition('tenant-b', 2)]));
    const types = await collect(replay(deps(), { topic: 'domain', types: ['order.paid'] }));
    expect(types.map((e) => (e.event.payload as { n: number }).n).sort((a, b) => a - b)).toEqual([0, 3, 6, 9]);
    const after = await collect(replay(deps(), { topic: 'domain', occurredAfter: '2024-01-01T00:09:00Z' }));
    expect(after.map((e) => (e.event.payload as { n: number }).n).sort((a, b) => a - b)).toEqual([10, 11]);
  });

  it('never stores an offset', async () => {
    await collect(replay(deps(), { topic: 'domain' }));
    expect(connector.stored).toEqual([]);
    expect(connector.polls.every((p) => p.options.consumer.kind === 'consumer' && !p.options.autoCommit)).toBe(true);
  });

  it('throws or skips undecodable messages as asked', async () => {
    await connector.send(S, 'domain', 0, [{ payload: new TextEncoder().encode('not json') }]);
    await expect(collect(replay(deps(), { topic: 'domain', partitions: [0] }))).rejects.toMatchObject({
      code: 'DECODE_FAILED',
    });
    const skipped = await collect(replay(deps(), { topic: 'domain', partitions: [0], onDecodeError: 'skip' }));
    expect(skipped.length).toBeGreaterThan(0);
  });

  it('rejects an unknown topic and bad options', async () => {
    await expect(collect(replay(deps(), { topic: 'nope' }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(collect(replay(deps(), { topic: 'domain', partitions: [5] }))).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await expect(collect(replay(deps(), { topic: '' }))).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
