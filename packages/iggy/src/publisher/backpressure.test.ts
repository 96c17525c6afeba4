import { BackpressureError, ConnectionError, isRustokError, type PublishReceipt } from '@rustok/core';
import { describe, expect, it } from 'vitest';
import { deferred, FakeConnector } from '../testing/fake-connector';
import type { QueuedMessage } from './partition-queue';
import { Publisher, type PublisherOptions } from './publisher';

const item = (n: number, bytes = 10): QueuedMessage => ({
  eventId: `e${n}`,
  message: { id: BigInt(n + 1), payload: new Uint8Array([n & 0xff]) },
  bytes,
});

async function setup(options: Omit<PublisherOptions, 'connector' | 'stream'>) {
  const connector = new FakeConnector();
  await connector.ensureStream('s');
  await connector.ensureTopic('s', 't', { partitions: 2 });
  const backpressure: string[] = [];
  const publisher = new Publisher({
    connector,
    stream: 's',
    ...options,
    metrics: {
      increment: (name, value, labels) => {
        if (name === 'rustok.iggy.publish.backpressure') backpressure.push(`${labels?.policy}:${value}`);
      },
      observe: () => {},
      gauge: () => {},
    },
  });
  const gate = deferred();
  connector.gate = gate.promise;
  const open = () => {
    connector.gate = undefined;
    gate.resolve();
  };
  return { connector, publisher, open, backpressure };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Publisher queue bounds: wait (default)', () => {
  it('holds at most maxQueuedMessages per partition; the rest waits, in publish order', async () => {
    const { connector, publisher, open, backpressure } = await setup({ maxMessages: 2, maxQueuedMessages: 3 });
    const order: string[] = [];
    const all = Array.from({ length: 6 }, (_, i) =>
      publisher.publish('t', 0, item(i)).then((r) => {
        order.push(r.id);
        return r;
      }),
    );
    // One in flight, two queued, three waiting for room.
    expect(connector.sends).toHaveLength(1);
    expect(publisher.pending).toBe(6);
    expect(backpressure).toEqual(['wait:1', 'wait:1', 'wait:1']);
    // Another partition is not held up by this one.
    const other = publisher.publish('t', 1, item(9));
    expect(connector.sends.map((s) => s.partition)).toEqual([0, 1]);
    open();
    const receipts = await Promise.all(all);
    await other;
    expect(receipts.map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    expect(order).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
    expect(connector.messages('s', 't', 0).map((m) => m.id)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    expect(connector.sends.filter((s) => s.partition === 0).map((s) => s.messages.length)).toEqual([1, 2, 2, 1]);
    expect(publisher.pending).toBe(0);
  });

  it('bounds by bytes too, and a publish never overtakes waiting ones', async () => {
    const { connector, publisher, open } = await setup({ maxQueuedBytes: 25, maxQueuedMessages: 100 });
    const a = publisher.publish('t', 0, item(0, 10)); // in flight
    const b = publisher.publish('t', 0, item(1, 10)); // queued (20 bytes held)
    const c = publisher.publish('t', 0, item(2, 10)); // waits: 30 > 25
    const d = publisher.publish('t', 0, item(3, 1)); // would fit, but must stay behind c
    expect(publisher.pending).toBe(4);
    expect(connector.sends).toHaveLength(1);
    open();
    const receipts = await Promise.all([a, b, c, d]);
    expect(receipts.map((r) => [r.id, r.offset])).toEqual([
      ['e0', 0n],
      ['e1', 1n],
      ['e2', 2n],
      ['e3', 3n],
    ]);
  });

  it('lets a batch larger than the bounds trickle in, in order, within the send limits', async () => {
    const { connector, publisher, open } = await setup({ maxMessages: 3, maxQueuedMessages: 4 });
    const items = Array.from({ length: 10 }, (_, i) => item(i));
    const done = publisher.publishGroups([{ topic: 't', partition: 0, items }]);
    await settle();
    expect(publisher.pending).toBe(10);
    open();
    const receipts = await done;
    expect(receipts.map((r) => r.offset)).toEqual(items.map((_, i) => BigInt(i)));
    expect(connector.sends.every((s) => s.messages.length <= 3)).toBe(true);
    expect(connector.messages('s', 't', 0).map((m) => m.id)).toEqual(items.map((_, i) => BigInt(i + 1)));
  });

  it('fails waiting publishes with the send error, then recovers', async () => {
    const { connector, publisher, open } = await setup({ maxQueuedMessages: 2 });
    connector.failNextSend = new ConnectionError('link down');
    const first = publisher.publish('t', 0, item(0));
    const queued = publisher.publish('t', 0, item(1));
    const waiting = publisher.publish('t', 0, item(2));
    open();
    await expect(first).rejects.toMatchObject({ code: 'CONNECTION' });
    await expect(queued).rejects.toThrow(/earlier send to t\/0 failed/);
    await expect(waiting).rejects.toThrow(/earlier send to t\/0 failed/);
    expect(publisher.pending).toBe(0);
    await expect(publisher.publish('t', 0, item(3))).resolves.toMatchObject({ offset: 0n });
  });

  it('close() waits for messages still waiting for room', async () => {
    const { connector, publisher, open } = await setup({ maxQueuedMessages: 1 });
    const all = [0, 1, 2].map((n) => publisher.publish('t', 0, item(n)));
    const closing = publisher.close();
    open();
    await closing;
    await expect(Promise.all(all)).resolves.toHaveLength(3);
    expect(connector.messages('s', 't', 0)).toHaveLength(3);
  });
});

describe("Publisher queue bounds: onQueueFull 'reject'", () => {
  it('throws BACKPRESSURE when the partition is full and keeps what it accepted', async () => {
    const { connector, publisher, open, backpressure } = await setup({
      maxQueuedMessages: 2,
      onQueueFull: 'reject',
    });
    const accepted = [publisher.publish('t', 0, item(0)), publisher.publish('t', 0, item(1))];
    let error: unknown;
    try {
      void publisher.publish('t', 0, item(2));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BackpressureError);
    expect(isRustokError(error) && error.code).toBe('BACKPRESSURE');
    expect(isRustokError(error) && error.retriable).toBe(true);
    expect(isRustokError(error) && error.details).toMatchObject({
      topic: 't',
      partition: 0,
      heldMessages: 2,
      maxQueuedMessages: 2,
    });
    expect(backpressure).toEqual(['reject:1']);
    // The other partition still has room.
    const other = publisher.publish('t', 1, item(3));
    open();
    await expect(Promise.all([...accepted, other])).resolves.toHaveLength(3);
    expect(connector.messages('s', 't', 0).map((m) => m.id)).toEqual([1n, 2n]);
    // Room again once the sends completed.
    await expect(publisher.publish('t', 0, item(4))).resolves.toMatchObject({ offset: 2n });
  });

  it('rejects a group publish as a whole when one partition lacks room (nothing is queued)', async () => {
    const { connector, publisher, open } = await setup({ maxQueuedMessages: 3, onQueueFull: 'reject' });
    const held = [publisher.publish('t', 1, item(0)), publisher.publish('t', 1, item(1))];
    await expect(
      publisher.publishGroups([
        { topic: 't', partition: 0, items: [item(2)] },
        { topic: 't', partition: 1, items: [item(3), item(4)] },
      ]),
    ).rejects.toMatchObject({ code: 'BACKPRESSURE', details: { partition: 1 } });
    expect(publisher.pending).toBe(2);
    open();
    await Promise.all(held);
    expect(connector.messages('s', 't', 0)).toHaveLength(0);
    expect(connector.messages('s', 't', 1)).toHaveLength(2);
  });

  it('accepts any one call on a partition holding nothing, however large', async () => {
    const { publisher, open } = await setup({ maxQueuedMessages: 2, maxQueuedBytes: 1024, onQueueFull: 'reject' });
    const big = publisher.publish('t', 0, item(0, 4096));
    const batch = publisher.publishGroups([{ topic: 't', partition: 1, items: [item(1), item(2), item(3)] }]);
    open();
    const receipts: PublishReceipt[] = [await big, ...(await batch)];
    expect(receipts.map((r) => r.id)).toEqual(['e0', 'e1', 'e2', 'e3']);
  });
});
