import { createEvent, defineEvent, EventRegistry, isValidationError, PartialPublishError, ConnectionError } from '@rustok/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tenantPartition } from '../partitioning/tenant-partition';
import { OrderCreated } from '../testing/events';
import { deferred, FakeConnector } from '../testing/fake-connector';
import { IggyTransport } from './transport';

const IndexRebuilt = defineEvent({ type: 'index.rebuilt', version: 1, payload: z.object({}) });

const order = (tenantId: string, n = 1) =>
  createEvent(OrderCreated, { tenantId, payload: { orderId: `o-${n}`, amount: n } });

describe('IggyTransport (fake connector)', () => {
  let connector: FakeConnector;
  let transport: IggyTransport;

  beforeEach(async () => {
    connector = new FakeConnector();
    transport = await IggyTransport.create({ connector });
  });
  afterEach(async () => {
    await transport.close();
  });

  it('ensures the default topology and reports it', async () => {
    expect(transport.topics).toEqual({ domain: 8, system: 8, dlq: 8 });
    expect(transport.reliability).toBe('streaming');
    expect(transport.stream).toBe('rustok');
    expect(connector.connected).toBe(true);
  });

  it('publishes to the tenant partition of the routed topic', async () => {
    const event = order('tenant-123');
    const receipt = await transport.publish(event);
    expect(receipt).toEqual({ id: event.id, topic: 'domain', partition: 1, offset: 0n });
    const [stored] = connector.messages('rustok', 'domain', 1);
    expect(stored?.headers['rustok-tenant-id']).toEqual({ kind: 'string', value: 'tenant-123' });
    const system = await transport.publish(createEvent(IndexRebuilt, { tenantId: 't', payload: {} }));
    expect(system.topic).toBe('system');
    expect(system.partition).toBe(tenantPartition('t', 8));
  });

  it('rejects an invalid envelope with the validation error and sends nothing', async () => {
    await expect(transport.publish({ ...order('t'), id: 'nope' })).rejects.toSatisfy(isValidationError);
    expect(connector.sends).toHaveLength(0);
  });

  it('publishBatch validates everything first: one invalid envelope publishes none', async () => {
    const batch = [order('a', 1), order('b', 2), { ...order('c', 3), tenantId: '' }];
    const error = await transport.publishBatch(batch).catch((e: unknown) => e);
    expect(isValidationError(error)).toBe(true);
    expect((error as { details: { index: number } }).details.index).toBe(2);
    expect(connector.sends).toHaveLength(0);
  });

  it('publishBatch groups by partition in one send each and returns receipts in input order', async () => {
    const events = [order('a', 1), order('b', 2), order('a', 3), order('b', 4), order('a', 5)];
    const receipts = await transport.publishBatch(events);
    expect(receipts.map((r) => r.id)).toEqual(events.map((e) => e.id));
    const pa = tenantPartition('a', 8);
    const pb = tenantPartition('b', 8);
    expect(receipts.map((r) => r.partition)).toEqual([pa, pb, pa, pb, pa]);
    expect(connector.sends.length).toBe(pa === pb ? 1 : 2);
    expect(await transport.publishBatch([])).toEqual([]);
  });

  it('reports a partial batch publish', async () => {
    const a = order('a', 1);
    const b = order('tenant-123', 2);
    expect(tenantPartition('a', 8)).not.toBe(tenantPartition('tenant-123', 8));
    const gate = deferred();
    connector.gate = gate.promise;
    const pending = transport.publishBatch([a, b]);
    connector.failNextSend = new ConnectionError('down');
    connector.gate = undefined;
    gate.resolve();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialPublishError);
    expect((error as PartialPublishError).publishedIds).toEqual([b.id]);
    const health = await transport.health();
    expect(health.status).toBe('degraded');
    expect(health.details.lastError).toMatchObject({ code: 'CONNECTION' });
  });

  it('rejects publishes after close with CLOSED, without closing a supplied connector', async () => {
    await transport.close();
    await expect(transport.publish(order('t'))).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(transport.publishBatch([order('t')])).rejects.toMatchObject({ code: 'CLOSED' });
    expect(() => transport.replay({ topic: 'domain' })).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    expect(connector.connected).toBe(true);
    expect((await transport.health()).status).toBe('unhealthy');
  });

  it('lag() of an unknown group is NOT_FOUND', async () => {
    await expect(transport.lag('nobody')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(transport.resetOffsets('nobody', 'earliest')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('IggyTransport options', () => {
  it('applies custom routes, topics and stream', async () => {
    const connector = new FakeConnector();
    const transport = await IggyTransport.create({
      connector,
      stream: 'shop',
      topics: { orders: { partitions: 2 }, domain: { partitions: 4 } },
      routes: [{ prefix: 'order.', topic: 'orders' }],
    });
    const receipt = await transport.publish(order('tenant-123'));
    expect(receipt).toMatchObject({ topic: 'orders', partition: tenantPartition('tenant-123', 2) });
    expect(transport.topics).toEqual({ domain: 4, system: 8, dlq: 8, orders: 2 });
    await transport.close();
  });

  it('refuses routes to unconfigured topics and invalid options', async () => {
    await expect(
      IggyTransport.create({ connector: new FakeConnector(), routes: [{ exact: 'a.b', topic: 'ghost' }] }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(
      IggyTransport.create({ connector: new FakeConnector(), codec: 'xml' as 'json' }),
    ).rejects.toMatchObject({ code: 'VALIDATION', details: { field: 'codec' } });
    const transport = await IggyTransport.create({
      connector: new FakeConnector(),
      routes: [{ match: (t) => (t === 'order.created' ? 'ghost' : undefined) }],
    });
    await expect(transport.publish(order('t'))).rejects.toMatchObject({ code: 'VALIDATION' });
    await transport.close();
  });

  it('fails with TOPOLOGY_MISMATCH unless the existing partition count is accepted', async () => {
    const connector = new FakeConnector();
    await (await IggyTransport.create({ connector, topics: { domain: { partitions: 3 } } })).close();
    await expect(IggyTransport.create({ connector })).rejects.toMatchObject({ code: 'TOPOLOGY_MISMATCH' });
    const transport = await IggyTransport.create({ connector, useExistingPartitionCount: true });
    expect(transport.topics.domain).toBe(3);
    expect((await transport.health()).status).toBe('degraded');
    await transport.close();
  });

  it('validates against a registry: unknown type is the registry error, Avro mismatch is SERIALIZATION', async () => {
    const registry = new EventRegistry().register(OrderCreated);
    const transport = await IggyTransport.create({ connector: new FakeConnector(), registry, codec: 'avro' });
    const unknown = createEvent(IndexRebuilt, { tenantId: 't', payload: {} });
    await expect(transport.publish(unknown)).rejects.toMatchObject({ code: 'ENVELOPE_UNKNOWN_TYPE' });
    await expect(
      transport.publish(createEvent(OrderCreated, { tenantId: 't', payload: { orderId: 'o', amount: 1.5 } })),
    ).rejects.toMatchObject({ code: 'SERIALIZATION' });
    await expect(transport.publish(order('t'))).resolves.toMatchObject({ topic: 'domain' });
    await transport.close();
  });
});

describe('IggyTransport publish queue bounds (batching.maxQueued…)', () => {
  it("rejects with BACKPRESSURE when a partition is full and onQueueFull is 'reject'", async () => {
    const connector = new FakeConnector();
    const transport = await IggyTransport.create({
      connector,
      batching: { maxQueuedMessages: 1, onQueueFull: 'reject' },
    });
    const gate = deferred();
    connector.gate = gate.promise;
    const first = transport.publish(order('tenant-123', 1));
    const second = transport.publish(order('tenant-123', 2));
    await expect(second).rejects.toMatchObject({ code: 'BACKPRESSURE', retriable: true });
    await expect(transport.publishBatch([order('tenant-123', 3), order('tenant-9', 4)])).rejects.toMatchObject({
      code: 'BACKPRESSURE',
    });
    connector.gate = undefined;
    gate.resolve();
    await expect(first).resolves.toMatchObject({ partition: 1, offset: 0n });
    expect(connector.messages('rustok', 'domain', 1)).toHaveLength(1);
    expect(connector.sends).toHaveLength(1);
    await transport.close();
  });

  it('waits for room by default and keeps the tenant order', async () => {
    const connector = new FakeConnector();
    const transport = await IggyTransport.create({ connector, batching: { maxQueuedMessages: 2, maxMessages: 1 } });
    const gate = deferred();
    connector.gate = gate.promise;
    const events = Array.from({ length: 6 }, (_, n) => order('tenant-123', n));
    const receipts = Promise.all(events.map((e) => transport.publish(e)));
    connector.gate = undefined;
    gate.resolve();
    expect((await receipts).map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    expect(connector.messages('rustok', 'domain', 1).map((m) => m.id)).toEqual(
      events.map((e) => BigInt(`0x${e.id.replaceAll('-', '')}`)),
    );
    await transport.close();
  });

  it('validates the bounds', async () => {
    for (const batching of [{ maxQueuedMessages: 0 }, { maxQueuedBytes: 10 }, { onQueueFull: 'drop' }]) {
      await expect(
        IggyTransport.create({ connector: new FakeConnector(), batching: batching as { maxQueuedMessages: number } }),
      ).rejects.toMatchObject({ code: 'VALIDATION' });
    }
  });
});

describe('IggyTransport.publishSerialized (events validated earlier, e.g. by an outbox)', () => {
  const serialized = (event: ReturnType<typeof order>) => ({
    id: event.id,
    type: event.type,
    schemaVersion: event.schemaVersion,
    tenantId: event.tenantId,
    json: JSON.stringify(event),
  });

  it('sends each JSON text as it is, to the tenant partition, with the usual headers and receipts', async () => {
    const connector = new FakeConnector();
    const transport = await IggyTransport.create({ connector });
    const traced = createEvent(OrderCreated, {
      tenantId: 'a',
      payload: { orderId: 'o-9', amount: 9 },
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    const events = [order('a', 1), order('b', 2), traced, order('a', 3)];
    const receipts = await transport.publishSerialized(events.map(serialized));
    expect(receipts.map((r) => r.id)).toEqual(events.map((e) => e.id));
    const partitionA = tenantPartition('a', 8);
    const stored = connector.messages('rustok', 'domain', partitionA);
    expect(stored.map((m) => m.payload.toString('utf8'))).toEqual([events[0], traced, events[3]].map((e) => JSON.stringify(e)));
    expect(stored[1]?.headers.traceparent).toEqual({ kind: 'string', value: traced.headers.traceparent });
    expect(stored[0]?.headers['rustok-event-type']).toEqual({ kind: 'string', value: OrderCreated.type });
    expect(stored[0]?.headers.traceparent).toBeUndefined();
    // What a consumer reads back is the same event.
    const replayed = [];
    for await (const r of transport.replay({ topic: 'domain', tenantId: 'a' })) replayed.push(r.event);
    expect(replayed).toEqual([events[0], traced, events[3]]);
    await transport.close();
  });

  it('with Avro, parses the JSON and encodes it like publishBatch', async () => {
    const registry = new EventRegistry().register(OrderCreated);
    const transport = await IggyTransport.create({ connector: new FakeConnector(), registry, codec: 'avro' });
    const event = order('t', 1);
    const [receipt] = await transport.publishSerialized([serialized(event)]);
    expect(receipt?.id).toBe(event.id);
    const replayed = [];
    for await (const r of transport.replay({ topic: 'domain' })) replayed.push(r.event);
    expect(replayed).toEqual([event]);
    await expect(transport.publishSerialized([{ ...serialized(event), json: '{oops' }])).rejects.toMatchObject({
      code: 'SERIALIZATION',
    });
    await transport.close();
  });

  it('rejects malformed events (missing fields, bad id, not an array) and publishes none of the batch', async () => {
    const connector = new FakeConnector();
    const transport = await IggyTransport.create({ connector });
    const good = serialized(order('a', 1));
    const { json: _json, ...noJson } = good;
    for (const bad of [noJson, { ...good, id: 'not-a-uuid' }, { ...good, schemaVersion: 1.5 }]) {
      await expect(transport.publishSerialized([good, bad as typeof good])).rejects.toSatisfy(isValidationError);
    }
    await expect(transport.publishSerialized('x' as never)).rejects.toSatisfy(isValidationError);
    expect(connector.sends).toHaveLength(0);
    await transport.close();
    await expect(transport.publishSerialized([good])).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
