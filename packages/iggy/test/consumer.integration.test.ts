import { createEvent, type EventEnvelope, type Metrics } from '@rustok/core';
import { EmbeddedConnector } from '@rustok/iggy-connector';
import { makeTempDir, type TempDir } from '@rustok/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IggyTransport, tenantPartition } from '../src/index';
import { eventually, minBigInt, Step, type StepPayload, sleep, steps, waitFor } from './e2e/helpers';

const PARTITIONS = 2;
const seqOf = (event: EventEnvelope) => (event.payload as StepPayload).seq;

/** Two tenant ids that land on the same partition. */
function samePartitionPair(): [string, string] {
  const byPartition = new Map<number, string>();
  for (let i = 0; ; i++) {
    const tenant = `pair-${i}`;
    const p = tenantPartition(tenant, PARTITIONS);
    const other = byPartition.get(p);
    if (other !== undefined) return [other, tenant];
    byPartition.set(p, tenant);
  }
}

describe('consumer engine on the embedded connector', () => {
  let dir: TempDir;
  let connector: EmbeddedConnector;
  let transport: IggyTransport;
  const gauges: { name: string; value: number }[] = [];
  const counters = new Map<string, number>();
  const metrics: Metrics = {
    increment: (name, value = 1) => void counters.set(name, (counters.get(name) ?? 0) + value),
    observe: () => {},
    gauge: (name, value) => void gauges.push({ name, value }),
  };

  beforeEach(async () => {
    dir = await makeTempDir('rustok-consumer-');
    connector = new EmbeddedConnector({ dataDir: dir.path, fsync: { policy: 'never' } });
    await connector.connect();
    transport = await IggyTransport.create({
      connector,
      metrics,
      topics: { domain: { partitions: PARTITIONS }, system: { partitions: 1 }, dlq: { partitions: 1 } },
    });
  });
  afterEach(async () => {
    await transport.close();
    await connector.close();
    await dir.cleanup();
    gauges.length = 0;
    counters.clear();
  });

  it('starts a new group at the latest offset or at a timestamp', async () => {
    const old = steps(['a', 'b'], 5, 0);
    await transport.publishBatch(old);
    const fromLatest: string[] = [];
    const latest = await transport.subscribe('late', {
      startFrom: 'latest',
      pollWaitMs: 20,
      handler: (e) => void fromLatest.push(e.id),
    });
    await sleep(50);
    const fresh = steps(['a', 'b'], 3, 1);
    const receipts = await transport.publishBatch(fresh);
    await waitFor(() => fromLatest.length === fresh.length, 'the new events');
    await latest.close();
    expect(fromLatest.sort()).toEqual(fresh.map((e) => e.id).sort());

    const stamps: bigint[] = [];
    for (const r of receipts) {
      const batch = await connector.poll('rustok', 'domain', {
        consumer: { kind: 'consumer', id: 'probe' },
        partition: r.partition!,
        strategy: { kind: 'offset', value: r.offset! },
        count: 1,
      });
      stamps.push(batch.messages[0]!.timestamp);
    }
    const cut = minBigInt(stamps);
    const fromTime: string[] = [];
    const timed = await transport.subscribe('timed', {
      startFrom: { timestamp: cut },
      pollWaitMs: 20,
      handler: (e) => void fromTime.push(e.id),
    });
    await waitFor(() => fromTime.length >= fresh.length, 'events after the cut');
    await sleep(50);
    await timed.close();
    expect(fromTime.sort()).toEqual(fresh.map((e) => e.id).sort());
  });

  it('skips types it was not asked for and still commits past them', async () => {
    const events = steps(['a', 'b', 'c'], 4);
    const other = createEvent(Step, { tenantId: 'a', payload: { seq: 99, phase: 0 } });
    const foreign = { ...other, type: 'e2e.other' };
    await transport.publishBatch([...events, foreign]);
    const got: string[] = [];
    const sub = await transport.subscribe('typed', {
      types: ['e2e.other'],
      pollWaitMs: 20,
      handler: (e) => void got.push(e.type),
    });
    await waitFor(() => got.length === 1, 'the wanted event');
    await sub.close();
    expect(got).toEqual(['e2e.other']);
    expect((await transport.lag('typed', { topics: ['domain'] })).total).toBe(0n);
    expect(gauges.some((g) => g.name === 'rustok.consumer.lag')).toBe(true);
  });

  it('lets a tenant run ahead of a slow one only until the partition window is full', async () => {
    const [slow, fast] = samePartitionPair();
    await transport.publishBatch([
      ...steps([slow], 1),
      ...steps([fast], 30),
    ]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fastSeen: number[] = [];
    const sub = await transport.subscribe('window', {
      maxInFlightPerPartition: 10,
      pollBatchSize: 4,
      pollWaitMs: 20,
      handler: async (e) => {
        if (e.tenantId === slow) await gate;
        else fastSeen.push(seqOf(e));
      },
    });
    // The slow event holds offset 0 open; the window (10 offsets) lets 9 fast events through.
    await waitFor(() => fastSeen.length === 9, 'the fast tenant to fill the window');
    await sleep(100);
    expect(fastSeen.length).toBe(9);
    release();
    await waitFor(() => fastSeen.length === 30, 'the rest once the slow tenant finished');
    expect(fastSeen).toEqual(Array.from({ length: 30 }, (_, i) => i));
    await sub.close();
  });

  it('dead-letters an undecodable message at once with DECODE_FAILED', async () => {
    const partition = tenantPartition('broken', PARTITIONS);
    await connector.send('rustok', 'domain', partition, [
      {
        payload: new TextEncoder().encode('{definitely not an envelope'),
        headers: {
          'content-type': { kind: 'string', value: 'application/json' },
          'rustok-tenant-id': { kind: 'string', value: 'broken' },
        },
      },
    ]);
    await transport.publishBatch(steps(['broken'], 2));
    const got: number[] = [];
    const sub = await transport.subscribe('decoding', { pollWaitMs: 20, handler: (e) => void got.push(seqOf(e)) });
    await waitFor(() => got.length === 2, 'the decodable events');
    await eventually(async () => (await transport.dlq.list({ group: 'decoding' })).length === 1, 'the entry');
    const [entry] = await transport.dlq.list({ group: 'decoding' });
    expect(entry).toMatchObject({ tenantId: 'broken', attempts: 0, error: { code: 'DECODE_FAILED' } });
    expect(got).toEqual([0, 1]);
    await sub.close();
  });

  it("parks a tenant with 'park-tenant' and unparks it with a redrive", async () => {
    const [bad, good] = samePartitionPair();
    await transport.publishBatch(steps([bad, good], 5));
    let broken = true;
    const handled = new Map<string, number[]>();
    const sub = await transport.subscribe('parking', {
      onDeadLetter: 'park-tenant',
      pollWaitMs: 20,
      retry: { maxAttempts: 2, backoff: 'fixed', initialDelayMs: 1 },
      handler: (e) => {
        if (e.tenantId === bad && broken && seqOf(e) === 1) throw new Error('bug');
        handled.set(e.tenantId, [...(handled.get(e.tenantId) ?? []), seqOf(e)]);
      },
    });
    await waitFor(() => handled.get(good)?.length === 5, 'the healthy tenant');
    await eventually(async () => (await transport.dlq.list({ group: 'parking' })).length === 4, 'parked events');
    const entries = await transport.dlq.list({ group: 'parking' });
    expect(entries.map((e) => [e.error.code, e.attempts])).toEqual([
      ['HANDLER_FAILED', 2],
      ['TENANT_PARKED', 0],
      ['TENANT_PARKED', 0],
      ['TENANT_PARKED', 0],
    ]);
    expect(handled.get(bad)).toEqual([0]);
    broken = false;
    await transport.dlq.redrive({ group: 'parking', tenantId: bad });
    await waitFor(() => handled.get(bad)?.length === 5, 'the redriven events');
    expect(handled.get(bad)).toEqual([0, 1, 2, 3, 4]);
    await sub.close();
  });

  it('refuses a missing topic, a bad group name and bad options before joining', async () => {
    const handler = () => {};
    await expect(transport.subscribe('g', { topics: ['missing'], handler })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(transport.subscribe('', { handler })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(transport.subscribe('g', { handler, concurrency: 0 })).rejects.toMatchObject({
      code: 'VALIDATION',
      details: { field: 'concurrency' },
    });
    expect(await connector.getGroup('rustok', 'domain', 'g')).toBeNull();
  });

  it('resets an idle group to earliest and latest', async () => {
    const events = steps(['r-1', 'r-2', 'r-3'], 4);
    await transport.publishBatch(events);
    const got: string[] = [];
    const sub = await transport.subscribe('resets', { pollWaitMs: 20, handler: (e) => void got.push(e.id) });
    await waitFor(() => got.length === events.length, 'the first pass');
    await sub.close();
    const lag = () => transport.lag('resets', { topics: ['domain'] });
    expect((await lag()).total).toBe(0n);

    const early = await transport.resetOffsets('resets', 'earliest');
    expect(early.every((r) => r.topic === 'domain' && r.committed === null)).toBe(true);
    expect((await lag()).total).toBe(BigInt(events.length));

    const late = await transport.resetOffsets('resets', 'latest');
    const after = await lag();
    expect(after.total).toBe(0n);
    for (const p of after.topics[0]!.partitions) {
      expect(late.find((r) => r.partition === p.partition)?.committed).toBe(p.last >= 0n ? p.last : null);
    }
    await expect(transport.resetOffsets('resets', 'latest', { topics: ['nope'] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('consumes with the iterator: ack, retry, deadLetter, and break commits and leaves', async () => {
    await transport.publishBatch(steps(['it-a', 'it-b'], 6));
    const seen: string[] = [];
    let retried = false;
    let deadLettered = false;
    for await (const d of transport.consume('iter', { pollWaitMs: 20, concurrency: 2 })) {
      const seq = seqOf(d.event);
      seen.push(`${d.event.tenantId}:${seq}:${d.ctx.attempt}`);
      if (d.event.tenantId === 'it-a' && seq === 2 && !retried) {
        retried = true;
        expect(d.retry(1)).toBe(true);
      } else if (d.event.tenantId === 'it-b' && seq === 3) {
        deadLettered = true;
        expect(d.deadLetter('not for us')).toBe(true);
      } else {
        expect(d.ack()).toBe(true);
        expect(d.ack()).toBe(false);
      }
      if (seen.length === 13) break;
    }
    expect(retried && deadLettered).toBe(true);
    expect(seen).toContain('it-a:2:1');
    expect(seen).toContain('it-a:2:2');
    const aSeqs = seen.filter((s) => s.startsWith('it-a:')).map((s) => Number(s.split(':')[1]));
    expect(aSeqs).toEqual([0, 1, 2, 2, 3, 4, 5]);
    const [entry] = await transport.dlq.list({ group: 'iter' });
    expect(entry).toMatchObject({ tenantId: 'it-b', error: { code: 'DEAD_LETTERED', message: 'not for us' } });
    expect((await transport.lag('iter', { topics: ['domain'] })).total).toBe(0n);
    expect((await connector.getGroup('rustok', 'domain', 'iter'))?.members).toEqual([]);
  });

  it('redelivers what an iterator left unsettled when it closed', async () => {
    await transport.publishBatch(steps(['solo'], 3));
    const stream = transport.consume('unsettled', { pollWaitMs: 20, concurrency: 1 });
    const first = await stream.next();
    expect(first.done).toBe(false);
    first.value!.ack();
    const second = await stream.next();
    expect(seqOf(second.value!.event)).toBe(1);
    await stream.return?.();
    expect(second.value!.ack()).toBe(false);
    const again: number[] = [];
    for await (const d of transport.consume('unsettled', { pollWaitMs: 20 })) {
      again.push(seqOf(d.event));
      d.ack();
      if (again.length === 2) break;
    }
    expect(again).toEqual([1, 2]);
  });
});
