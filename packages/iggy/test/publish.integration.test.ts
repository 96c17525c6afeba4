import { EventRegistry, isValidationError } from '@rustok/core';
import { EmbeddedConnector, type PolledMessage } from '@rustok/iggy-connector';
import { makeTempDir } from '@rustok/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { IggyTransport, tenantPartition, uuidToMessageId } from '../src/index';
import { type Harness, notice, OrderCreated, openHarness, order, paid } from './helpers';

async function readAll(h: Harness, topic: string, partition: number): Promise<PolledMessage[]> {
  const batch = await h.connector.poll('rustok', topic, {
    consumer: { kind: 'consumer', id: 'test-reader' },
    partition,
    strategy: { kind: 'first' },
    count: 1000,
  });
  return batch.messages;
}

describe('publishing on the embedded engine', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.cleanup();
    h = undefined;
  });

  it('places each tenant on its xxHash32 partition with headers and the UUID as message id', async () => {
    h = await openHarness();
    const tenants = ['tenant-123', '00000000-0000-0000-0000-000000000000', 'acme', 'globex'];
    const platform = tenants[1]!;
    const events = tenants.flatMap((t, i) => [notice(t, i), t === platform ? notice(t, i + 100) : paid(t, i)]);
    for (const event of events) await h.transport.publish(event);
    expect(tenantPartition('tenant-123', 8)).toBe(1);
    expect(tenantPartition('00000000-0000-0000-0000-000000000000', 8)).toBe(3);
    for (const tenant of tenants) {
      const partition = tenantPartition(tenant, 8);
      const messages = (await readAll(h, 'domain', partition)).filter(
        (m) => m.headers['rustok-tenant-id']?.kind === 'string' && m.headers['rustok-tenant-id'].value === tenant,
      );
      const expected = events.filter((e) => e.tenantId === tenant);
      expect(messages.map((m) => m.id)).toEqual(expected.map((e) => uuidToMessageId(e.id)));
      const first = messages[0]!;
      expect(first.headers).toMatchObject({
        'content-type': { kind: 'string', value: 'application/json' },
        'rustok-event-type': { kind: 'string', value: 'platform.notice' },
        'rustok-schema-version': { kind: 'string', value: '1' },
      });
      expect(JSON.parse(first.payload.toString('utf8'))).toEqual(JSON.parse(JSON.stringify(expected[0])));
    }
  });

  it('publishBatch with one invalid envelope publishes none; a valid one lands in order', async () => {
    h = await openHarness();
    const bad = [order('t1', 1), { ...order('t1', 2), occurredAt: 'yesterday' }, order('t2', 3)];
    await expect(h.transport.publishBatch(bad)).rejects.toSatisfy(isValidationError);
    for (let p = 0; p < 8; p++) expect(await readAll(h, 'domain', p)).toHaveLength(0);
    const good = Array.from({ length: 50 }, (_, i) => order(`t${i % 3}`, i));
    const receipts = await h.transport.publishBatch(good);
    expect(receipts.map((r) => r.id)).toEqual(good.map((e) => e.id));
    const p0 = tenantPartition('t0', 8);
    const ids = (await readAll(h, 'domain', p0)).map((m) => m.id);
    const expected = good.filter((e) => tenantPartition(e.tenantId, 8) === p0).map((e) => uuidToMessageId(e.id));
    expect(ids).toEqual(expected);
  });

  it('keeps per-tenant order under many concurrent publishes', async () => {
    h = await openHarness();
    const events = Array.from({ length: 300 }, (_, i) => order(`tenant-${i % 5}`, i));
    const receipts = await Promise.all(events.map((e) => h!.transport.publish(e)));
    for (let t = 0; t < 5; t++) {
      const mine = receipts.filter((_, i) => i % 5 === t);
      const offsets = mine.map((r) => r.offset!);
      expect([...offsets].sort((a, b) => (a < b ? -1 : 1))).toEqual(offsets);
    }
  });

  it('validates against a registry and writes Avro that replay decodes', async () => {
    const registry = new EventRegistry().register(OrderCreated);
    h = await openHarness({ registry, codec: 'avro' });
    await expect(h.transport.publish(paid('t', 1))).rejects.toMatchObject({ code: 'ENVELOPE_UNKNOWN_TYPE' });
    await expect(
      h.transport.publish({ ...order('t', 1), payload: { orderId: 'x', amount: 2.5 } }),
    ).rejects.toMatchObject({ code: 'SERIALIZATION' });
    const event = order('t', 7);
    const receipt = await h.transport.publish(event);
    const [stored] = await readAll(h, 'domain', receipt.partition!);
    expect(stored?.headers['content-type']).toEqual({ kind: 'string', value: 'application/vnd.rustok.avro' });
    expect([stored?.payload[0], stored?.payload[1]]).toEqual([0xc3, 0x01]);
    const replayed = [];
    for await (const r of h.transport.replay({ topic: 'domain' })) replayed.push(r.event);
    expect(replayed).toEqual([event]);
  });

  it('rejects publish on a closed transport with CLOSED and reports lag of unknown groups as NOT_FOUND', async () => {
    h = await openHarness();
    await expect(h.transport.lag('ghost')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await h.transport.close();
    await expect(h.transport.publish(order('t', 1))).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('reports health with mode, connection, topology and server version', async () => {
    h = await openHarness();
    const health = await h.transport.health();
    expect(health.status).toBe('healthy');
    expect(health.details).toMatchObject({
      mode: 'embedded',
      connection: { connected: true },
      topology: { ok: true, stream: 'rustok' },
      lastError: null,
    });
  });
});

describe('topology on the embedded engine', () => {
  it('fails with TOPOLOGY_MISMATCH on a different partition count unless opted in', async () => {
    await using dir = await makeTempDir('rustok-iggy-');
    const config = { embedded: { dataDir: dir.path, fsync: { policy: 'never' as const } } };
    const first = await IggyTransport.create({ connector: config, topics: { domain: { partitions: 4 } } });
    await first.close();
    await expect(IggyTransport.create({ connector: config })).rejects.toMatchObject({ code: 'TOPOLOGY_MISMATCH' });
    const reuse = await IggyTransport.create({ connector: config, useExistingPartitionCount: true });
    expect(reuse.topics.domain).toBe(4);
    const receipt = await reuse.publish(order('tenant-123', 1));
    expect(receipt.partition).toBe(tenantPartition('tenant-123', 4));
    await reuse.close();
  });

  it('with no arguments uses an embedded data dir under ./.rustok/iggy', async () => {
    await using dir = await makeTempDir('rustok-iggy-cwd-');
    const previous = process.cwd();
    process.chdir(dir.path);
    try {
      const transport = await IggyTransport.create();
      await transport.publish(order('t', 1));
      const health = await transport.health();
      expect(String((health.details.connection as { location?: string }).location ?? '')).toContain('.rustok');
      await transport.close();
      const reopened = new EmbeddedConnector({ dataDir: `${dir.path}/.rustok/iggy` });
      expect((await reopened.getTopic('rustok', 'domain'))?.partitions).toBe(8);
      await reopened.close();
    } finally {
      process.chdir(previous);
    }
  });
});
