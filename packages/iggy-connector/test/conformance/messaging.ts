import { describe, expect, it } from 'vitest';
import type { MessageHeaders, PollOptions } from '../../src/types';
import type { SuiteContext } from './context';
import { bytes, expectCode, expectCodeOf, texts, uniqueName } from './helpers';

const FROM_START: Omit<PollOptions, 'partition'> = {
  consumer: { kind: 'consumer', id: 1 },
  strategy: { kind: 'offset', value: 0n },
  count: 100,
};

/** Sending: offsets, ids, headers, timestamps, partition independence and send errors. */
export function messagingSuite(ctx: SuiteContext): void {
  describe('send', () => {
    it('appends batches in order with consecutive offsets', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      const first = await c.send(stream, topic, 0, [{ payload: bytes('a') }, { payload: bytes('b') }]);
      const second = await c.send(stream, topic, 0, [{ payload: bytes('c') }]);
      expect(first.baseOffset).toBe(0n);
      expect(second.baseOffset).toBe(2n);
      const batch = await c.poll(stream, topic, { ...FROM_START, partition: 0 });
      expect(texts(batch.messages)).toEqual(['a', 'b', 'c']);
      expect(batch.messages.map((m) => m.offset)).toEqual([0n, 1n, 2n]);
      expect(batch.currentOffset).toBe(2n);
      expect(batch.partition).toBe(0);
    });

    it('keeps given ids and mints distinct non-zero ids for missing or 0n ids', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      const big = (1n << 127n) + 12345n;
      await c.send(stream, topic, 0, [
        { id: big, payload: bytes('given') },
        { payload: bytes('missing') },
        { id: 0n, payload: bytes('zero') },
      ]);
      const { messages } = await c.poll(stream, topic, { ...FROM_START, partition: 0 });
      expect(messages[0]!.id).toBe(big);
      expect(messages[1]!.id).not.toBe(0n);
      expect(messages[2]!.id).not.toBe(0n);
      expect(messages[1]!.id).not.toBe(messages[2]!.id);
    });

    it('stores broker timestamps in µs, not decreasing', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      const before = BigInt(Date.now() - 60_000) * 1000n;
      await c.send(stream, topic, 0, [{ payload: bytes('a') }]);
      await c.send(stream, topic, 0, [{ payload: bytes('b') }, { payload: bytes('c') }]);
      const after = BigInt(Date.now() + 60_000) * 1000n;
      const { messages } = await c.poll(stream, topic, { ...FROM_START, partition: 0 });
      for (const m of messages) {
        expect(m.timestamp).toBeGreaterThan(before);
        expect(m.timestamp).toBeLessThan(after);
      }
      expect(messages[1]!.timestamp).toBeGreaterThanOrEqual(messages[0]!.timestamp);
      expect(messages[2]!.timestamp).toBeGreaterThanOrEqual(messages[1]!.timestamp);
    });

    it('round-trips typed user headers and binary payloads', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      const headers: MessageHeaders = {
        'content-type': { kind: 'string', value: 'application/json' },
        flag: { kind: 'bool', value: true },
        small: { kind: 'int32', value: -42 },
        huge: { kind: 'uint128', value: (1n << 100n) + 7n },
        blob: { kind: 'raw', value: new Uint8Array([0, 1, 2, 255]) },
        ratio: { kind: 'float64', value: 0.25 },
      };
      const payload = new Uint8Array([0, 255, 10, 13, 0]);
      await c.send(stream, topic, 0, [{ payload, headers }, { payload: bytes('bare') }]);
      const { messages } = await c.poll(stream, topic, { ...FROM_START, partition: 0 });
      expect(new Uint8Array(messages[0]!.payload)).toEqual(payload);
      expect(messages[0]!.headers['content-type']).toEqual(headers['content-type']);
      expect(messages[0]!.headers.flag).toEqual(headers.flag);
      expect(messages[0]!.headers.small).toEqual(headers.small);
      expect(messages[0]!.headers.huge).toEqual(headers.huge);
      expect(messages[0]!.headers.ratio).toEqual(headers.ratio);
      expect(new Uint8Array(messages[0]!.headers.blob!.value as Uint8Array)).toEqual(
        new Uint8Array([0, 1, 2, 255]),
      );
      expect(messages[0]!.rawHeaders).toBeUndefined();
      expect(messages[1]!.headers).toEqual({});
    });

    it('stores a string payload as its UTF-8 bytes', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      const text = '{"note":"naïve — ✓ 𝄞"}';
      await c.send(stream, topic, 0, [{ payload: text }, { payload: bytes('bytes') }]);
      const { messages } = await c.poll(stream, topic, { ...FROM_START, partition: 0 });
      expect(messages[0]!.payload.length).toBe(Buffer.byteLength(text));
      expect(texts(messages)).toEqual([text, 'bytes']);
    });

    it('keeps partitions independent', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(3);
      await c.send(stream, topic, 2, [{ payload: bytes('p2-a') }]);
      const r = await c.send(stream, topic, 1, [{ payload: bytes('p1-a') }]);
      expect(r.baseOffset).toBe(0n);
      expect(texts((await c.poll(stream, topic, { ...FROM_START, partition: 1 })).messages)).toEqual([
        'p1-a',
      ]);
      expect(texts((await c.poll(stream, topic, { ...FROM_START, partition: 2 })).messages)).toEqual([
        'p2-a',
      ]);
      const empty = await c.poll(stream, topic, { ...FROM_START, partition: 0 });
      expect(empty.messages).toEqual([]);
      expect(empty.currentOffset).toBe(-1n);
    });

    it('rejects an empty batch, empty or oversized payloads and oversized headers (VALIDATION)', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      await expectCodeOf(() => c.send(stream, topic, 0, []), 'VALIDATION');
      await expectCodeOf(() => c.send(stream, topic, 0, [{ payload: new Uint8Array(0) }]), 'VALIDATION');
      await expectCodeOf(() => c.send(stream, topic, 0, [{ payload: '' }]), 'VALIDATION');
      await expectCodeOf(() => c.send(stream, topic, 0, [{ payload: 42 as unknown as string }]), 'VALIDATION');
      const over = new Uint8Array(ctx.target.maxPayloadBytes + 1);
      await expectCodeOf(() => c.send(stream, topic, 0, [{ payload: over }]), 'VALIDATION');
      const headers: MessageHeaders = {};
      for (let i = 0; i < 400; i++) {
        headers[`header-${i}`] = { kind: 'string', value: 'v'.repeat(255) };
      }
      await expectCodeOf(() => c.send(stream, topic, 0, [{ payload: bytes('x'), headers }]), 'VALIDATION');
      // Nothing of a rejected batch is stored.
      await expectCodeOf(
        () => c.send(stream, topic, 0, [{ payload: bytes('ok') }, { payload: new Uint8Array(0) }]),
        'VALIDATION',
      );
      const batch = await c.poll(stream, topic, { ...FROM_START, partition: 0 });
      expect(batch.messages).toEqual([]);
    });

    it('sending to a missing stream, topic or partition is NOT_FOUND', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(2);
      const msg = [{ payload: bytes('x') }];
      await expectCode(c.send(uniqueName('missing'), topic, 0, msg), 'NOT_FOUND');
      await expectCode(c.send(stream, 'missing', 0, msg), 'NOT_FOUND');
      await expectCode(c.send(stream, topic, 2, msg), 'NOT_FOUND');
      await expectCodeOf(() => c.send(stream, topic, -1, msg), 'VALIDATION');
    });
  });
}
