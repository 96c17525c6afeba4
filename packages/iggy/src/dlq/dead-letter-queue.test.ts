import type { MessageHeaders, PolledMessage } from '@rustok/iggy-connector';
import { beforeEach, describe, expect, it } from 'vitest';
import { tenantPartition } from '../partitioning/tenant-partition';
import { Publisher } from '../publisher/publisher';
import { FakeConnector } from '../testing/fake-connector';
import { DeadLetterQueue } from './dead-letter-queue';
import { truncateUtf8 } from './dlq-headers';
import { createDeadLetterWriter } from './writer';

const S = 'rustok';

function original(offset: bigint, tenant: string, type: string, extra: MessageHeaders = {}): PolledMessage {
  return {
    id: 0x0190f3a012347abc8def000000000000n + offset,
    offset,
    timestamp: 1n,
    originTimestamp: 1n,
    payload: Buffer.from(`{"n":${offset}}`),
    headers: {
      'content-type': { kind: 'string', value: 'application/json' },
      'rustok-event-type': { kind: 'string', value: type },
      'rustok-tenant-id': { kind: 'string', value: tenant },
      'rustok-schema-version': { kind: 'string', value: '1' },
      'x-custom': { kind: 'uint32', value: 7 },
      ...extra,
    },
  };
}

describe('DeadLetterQueue', () => {
  let connector: FakeConnector;
  let dlq: DeadLetterQueue;
  let write: ReturnType<typeof createDeadLetterWriter>;
  let publisher: Publisher;

  beforeEach(async () => {
    connector = new FakeConnector();
    await connector.ensureStream(S);
    await connector.ensureTopic(S, 'domain', { partitions: 4 });
    await connector.ensureTopic(S, 'dlq', { partitions: 2 });
    publisher = new Publisher({ connector, stream: S });
    write = createDeadLetterWriter({ publisher, topic: 'dlq', partitions: 2 });
    dlq = new DeadLetterQueue({
      connector,
      stream: S,
      topic: 'dlq',
      publisher,
      partitionsOf: async (t) => (await connector.getTopic(S, t))!.partitions,
    });
  });

  const fail = (msg: PolledMessage, group: string, at: string, code = 'HANDLER_FAILED') =>
    write({
      group,
      sourceTopic: 'domain',
      partition: 2,
      offset: msg.offset,
      message: msg,
      error: { code, message: `boom ${msg.offset}` },
      attempts: 5,
      firstFailureAt: new Date('2024-01-01T00:00:00Z'),
      lastFailureAt: new Date(at),
    });

  it('writes entries with the original bytes and headers plus failure metadata', async () => {
    const msg = original(7n, 'tenant-a', 'order.created');
    await fail(msg, 'billing', '2024-01-02T00:00:00Z');
    const partition = tenantPartition('tenant-a', 2);
    const [stored] = connector.messages(S, 'dlq', partition);
    expect(stored?.payload.toString()).toBe('{"n":7}');
    expect(stored?.id).toBe(msg.id);
    expect(stored?.headers['x-custom']).toEqual({ kind: 'uint32', value: 7 });
    expect(stored?.headers['rustok-dlq-source-offset']).toEqual({ kind: 'string', value: '7' });

    const [entry] = await dlq.list();
    expect(entry).toMatchObject({
      id: `${partition}:0`,
      eventType: 'order.created',
      tenantId: 'tenant-a',
      group: 'billing',
      source: { topic: 'domain', partition: 2, offset: 7n },
      error: { code: 'HANDLER_FAILED', message: 'boom 7' },
      attempts: 5,
      status: 'pending',
      redriveCount: 0,
      eventId: '0190f3a0-1234-7abc-8def-000000000007',
    });
    expect(entry?.lastFailureAt?.toISOString()).toBe('2024-01-02T00:00:00.000Z');
  });

  it('bounds the stored error message', async () => {
    const msg = original(1n, 't', 'a.b');
    await write({
      group: 'g',
      sourceTopic: 'domain',
      partition: 0,
      offset: 1n,
      message: msg,
      error: { code: 'X', message: 'é'.repeat(2000) },
      attempts: 1,
      firstFailureAt: new Date(),
      lastFailureAt: new Date(),
    });
    const [entry] = await dlq.list();
    expect(Buffer.byteLength(entry!.error.message)).toBeLessThanOrEqual(255);
    expect(entry!.error.message.endsWith('…')).toBe(true);
    expect(truncateUtf8('short', 1024)).toBe('short');
  });

  it('lists with filters and summarises', async () => {
    await fail(original(1n, 'tenant-a', 'order.created'), 'billing', '2024-01-02T00:00:00Z');
    await fail(original(2n, 'tenant-b', 'order.paid'), 'billing', '2024-01-03T00:00:00Z', 'TIMEOUT');
    await fail(original(3n, 'tenant-a', 'order.paid'), 'shipping', '2024-01-04T00:00:00Z');
    expect((await dlq.list()).length).toBe(3);
    expect((await dlq.list({ tenantId: 'tenant-a' })).map((e) => e.source.offset)).toEqual([1n, 3n]);
    expect((await dlq.list({ type: 'order.paid' })).length).toBe(2);
    expect((await dlq.list({ type: ['order.created', 'x'] })).length).toBe(1);
    expect((await dlq.list({ group: 'shipping' })).map((e) => e.source.offset)).toEqual([3n]);
    expect((await dlq.list({ since: new Date('2024-01-03T00:00:00Z') })).length).toBe(2);
    expect((await dlq.list({ until: new Date('2024-01-02T12:00:00Z') })).length).toBe(1);
    expect((await dlq.list({ limit: 1 })).length).toBe(1);
    const summary = await dlq.summary();
    expect(summary).toMatchObject({
      total: 3,
      pending: 3,
      redriven: 0,
      byGroup: { billing: 2, shipping: 1 },
      byType: { 'order.created': 1, 'order.paid': 2 },
      byErrorCode: { HANDLER_FAILED: 2, TIMEOUT: 1 },
      bySourceTopic: { domain: 3 },
      unreadable: 0,
    });
    expect(summary.oldestPendingAt?.toISOString()).toBe('2024-01-02T00:00:00.000Z');
    expect((await dlq.summary({ group: 'billing' })).total).toBe(2);
  });

  it('redrives the original bytes by tenant hash, bumps the redrive count and marks the entry', async () => {
    const msg = original(9n, 'tenant-123', 'order.created');
    await fail(msg, 'billing', '2024-01-02T00:00:00Z');
    const [entry] = await dlq.list();
    const report = await dlq.redrive(entry!.id);
    const partition = tenantPartition('tenant-123', 4);
    expect(report.redriven).toEqual([
      { entryId: entry!.id, eventId: entry!.eventId, topic: 'domain', partition, offset: 0n },
    ]);
    const [republished] = connector.messages(S, 'domain', partition);
    expect(republished?.payload.toString()).toBe('{"n":9}');
    expect(republished?.id).toBe(msg.id);
    expect(republished?.headers['rustok-redrive-count']).toEqual({ kind: 'string', value: '1' });
    expect(republished?.headers['x-custom']).toEqual({ kind: 'uint32', value: 7 });
    expect(Object.keys(republished!.headers).some((k) => k.startsWith('rustok-dlq-'))).toBe(false);

    const [after] = await dlq.list();
    expect(after?.status).toBe('redriven');
    expect(after?.redrives[0]?.target).toEqual({ topic: 'domain', partition, offset: 0n });
    expect((await dlq.summary()).redriven).toBe(1);
    expect((await dlq.list({ status: 'pending' })).length).toBe(0);

    const again = await dlq.redrive(entry!.id);
    expect(again.skipped).toEqual([{ entryId: entry!.id, reason: 'already-redriven' }]);
    const forced = await dlq.redrive([entry!.id], { force: true });
    expect(forced.redriven).toHaveLength(1);
    expect((await dlq.list())[0]?.redrives).toHaveLength(2);
  });

  it('redrives by filter and keeps a tenant’s entries in order', async () => {
    for (const n of [1n, 2n, 3n]) await fail(original(n, 'tenant-x', 'a.b'), 'g', '2024-01-02T00:00:00Z');
    await fail(original(4n, 'tenant-y', 'a.b'), 'other', '2024-01-02T00:00:00Z');
    const report = await dlq.redrive({ group: 'g' });
    expect(report.redriven).toHaveLength(3);
    const partition = tenantPartition('tenant-x', 4);
    expect(connector.messages(S, 'domain', partition).map((m) => m.payload.toString())).toEqual([
      '{"n":1}',
      '{"n":2}',
      '{"n":3}',
    ]);
    expect((await dlq.summary()).pending).toBe(1);
  });

  it('counts a second redrive of a redriven message in its headers', async () => {
    await fail(
      original(5n, 't', 'a.b', { 'rustok-redrive-count': { kind: 'string', value: '2' } }),
      'g',
      '2024-01-02T00:00:00Z',
    );
    const [entry] = await dlq.list();
    expect(entry?.redriveCount).toBe(2);
    await dlq.redrive(entry!.id);
    const republished = connector.messages(S, 'domain', tenantPartition('t', 4))[0];
    expect(republished?.headers['rustok-redrive-count']).toEqual({ kind: 'string', value: '3' });
  });

  it('show() returns bytes and headers; unknown and malformed ids fail', async () => {
    await fail(original(1n, 'tenant-a', 'order.created'), 'billing', '2024-01-02T00:00:00Z');
    const [entry] = await dlq.list();
    const detail = await dlq.show(entry!.id);
    expect(detail.payload.toString()).toBe('{"n":1}');
    expect(detail.headers['rustok-event-type']).toEqual({ kind: 'string', value: 'order.created' });
    await expect(dlq.show('1:999')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(dlq.show('nope')).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(dlq.redrive('1:999')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await dlq.redrive(['1:999'])).skipped).toEqual([{ entryId: '1:999', reason: 'not-found' }]);
  });

  it('counts records it cannot read without failing', async () => {
    await connector.send(S, 'dlq', 0, [{ payload: new Uint8Array([1]), headers: {} }]);
    expect(await dlq.list()).toEqual([]);
    expect((await dlq.summary()).unreadable).toBe(1);
  });
});
