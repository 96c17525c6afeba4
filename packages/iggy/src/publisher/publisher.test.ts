import { ClosedError, ConnectionError, hasErrorCode, PartialPublishError } from '@rustok/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { deferred, FakeConnector } from '../testing/fake-connector';
import type { QueuedMessage } from './partition-queue';
import { Publisher } from './publisher';

const item = (n: number, bytes = 10): QueuedMessage => ({
  eventId: `e${n}`,
  message: { id: BigInt(n + 1), payload: new Uint8Array([n & 0xff]) },
  bytes,
});

async function setup(limits: { maxMessages?: number; maxBytes?: number } = {}) {
  const connector = new FakeConnector();
  await connector.ensureStream('s');
  await connector.ensureTopic('s', 't', { partitions: 2 });
  const errors: string[] = [];
  const publisher = new Publisher({
    connector,
    stream: 's',
    ...limits,
    onError: (e) => errors.push(e.code),
  });
  return { connector, publisher, errors };
}

describe('Publisher', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    ctx = await setup({ maxMessages: 3, maxBytes: 1000 });
  });

  it('sends at once when idle and returns the offset', async () => {
    const receipt = await ctx.publisher.publish('t', 1, item(0));
    expect(receipt).toEqual({ id: 'e0', topic: 't', partition: 1, offset: 0n });
    expect(ctx.connector.sends).toHaveLength(1);
    expect((await ctx.publisher.publish('t', 1, item(1))).offset).toBe(1n);
  });

  it('coalesces publishes arriving while a send is in flight, bounded by count', async () => {
    const gate = deferred();
    ctx.connector.gate = gate.promise;
    const all = Array.from({ length: 8 }, (_, i) => ctx.publisher.publish('t', 0, item(i)));
    expect(ctx.connector.sends).toHaveLength(1);
    ctx.connector.gate = undefined;
    gate.resolve();
    const receipts = await Promise.all(all);
    expect(receipts.map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    expect(ctx.connector.sends.map((s) => s.messages.length)).toEqual([1, 3, 3, 1]);
    expect(ctx.connector.messages('s', 't', 0).map((m) => m.id)).toEqual(
      [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n],
    );
  });

  it('bounds a batch by bytes but always sends at least one message', async () => {
    const { connector, publisher } = await setup({ maxMessages: 100, maxBytes: 25 });
    const gate = deferred();
    connector.gate = gate.promise;
    const all = [
      publisher.publish('t', 0, item(0)),
      publisher.publish('t', 0, item(1, 10)),
      publisher.publish('t', 0, item(2, 10)),
      publisher.publish('t', 0, item(3, 10)),
      publisher.publish('t', 0, item(4, 60)),
    ];
    connector.gate = undefined;
    gate.resolve();
    await Promise.all(all);
    expect(connector.sends.map((s) => s.messages.length)).toEqual([1, 2, 1, 1]);
  });

  it('keeps partitions independent: one send in flight per partition', async () => {
    const gate = deferred();
    ctx.connector.gate = gate.promise;
    const a = ctx.publisher.publish('t', 0, item(0));
    const b = ctx.publisher.publish('t', 1, item(1));
    expect(ctx.connector.sends.map((s) => s.partition)).toEqual([0, 1]);
    gate.resolve();
    await Promise.all([a, b]);
  });

  it('fails everything queued behind a failed send, then recovers', async () => {
    const gate = deferred();
    ctx.connector.gate = gate.promise;
    ctx.connector.failNextSend = new ConnectionError('link down');
    const first = ctx.publisher.publish('t', 0, item(0));
    const behind = [ctx.publisher.publish('t', 0, item(1)), ctx.publisher.publish('t', 0, item(2))];
    const other = ctx.publisher.publish('t', 1, item(3));
    ctx.connector.gate = undefined;
    gate.resolve();
    await expect(first).rejects.toMatchObject({ code: 'CONNECTION', message: 'link down' });
    for (const p of behind) {
      await expect(p).rejects.toMatchObject({ code: 'CONNECTION', retriable: true });
      await expect(p).rejects.toThrow(/earlier send to t\/0 failed/);
    }
    await expect(other).resolves.toMatchObject({ partition: 1, offset: 0n });
    expect(ctx.errors).toEqual(['CONNECTION']);
    expect(ctx.connector.messages('s', 't', 0)).toHaveLength(0);
    await expect(ctx.publisher.publish('t', 0, item(4))).resolves.toMatchObject({ offset: 0n });
  });

  it('wraps a non-rustok send error as STORAGE', async () => {
    ctx.connector.failNextSend = new Error('disk on fire');
    await expect(ctx.publisher.publish('t', 0, item(0))).rejects.toMatchObject({ code: 'STORAGE' });
  });

  it('publishes groups with as few sends as the limits allow, receipts in input order', async () => {
    const receipts = await ctx.publisher.publishGroups([
      { topic: 't', partition: 0, items: [item(0), item(1)] },
      { topic: 't', partition: 1, items: [item(2), item(3), item(4), item(5)] },
    ]);
    expect(receipts.map((r) => [r.id, r.partition, r.offset])).toEqual([
      ['e0', 0, 0n],
      ['e1', 0, 1n],
      ['e2', 1, 0n],
      ['e3', 1, 1n],
      ['e4', 1, 2n],
      ['e5', 1, 3n],
    ]);
    expect(ctx.connector.sends.map((s) => [s.partition, s.messages.length])).toEqual([
      [0, 2],
      [1, 3],
      [1, 1],
    ]);
  });

  it('reports a partial group publish with the ids that made it', async () => {
    const gate = deferred();
    ctx.connector.gate = gate.promise;
    const done = ctx.publisher.publishGroups([
      { topic: 't', partition: 0, items: [item(0), item(1)] },
      { topic: 't', partition: 1, items: [item(2)] },
    ]);
    // The first send (partition 0) fails; partition 1 succeeds.
    ctx.connector.failNextSend = new ConnectionError('boom');
    ctx.connector.gate = undefined;
    gate.resolve();
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialPublishError);
    expect((error as PartialPublishError).publishedIds).toEqual(['e2']);
  });

  it('rethrows the send error when nothing of a group publish was appended', async () => {
    ctx.connector.failNextSend = new ConnectionError('boom');
    const error = await ctx.publisher
      .publishGroups([{ topic: 't', partition: 0, items: [item(0)] }])
      .catch((e: unknown) => e);
    expect(hasErrorCode(error, 'CONNECTION')).toBe(true);
  });

  it('close() flushes queued messages and then rejects publishes with CLOSED', async () => {
    const gate = deferred();
    ctx.connector.gate = gate.promise;
    const queued = [ctx.publisher.publish('t', 0, item(0)), ctx.publisher.publish('t', 0, item(1))];
    const closing = ctx.publisher.close();
    expect(() => ctx.publisher.publish('t', 0, item(2))).toThrow(ClosedError);
    ctx.connector.gate = undefined;
    gate.resolve();
    await closing;
    expect(ctx.publisher.pending).toBe(0);
    await expect(Promise.all(queued)).resolves.toHaveLength(2);
    expect(ctx.connector.messages('s', 't', 0)).toHaveLength(2);
    await ctx.publisher.close();
  });
});
