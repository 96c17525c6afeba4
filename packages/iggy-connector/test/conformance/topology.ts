import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './context';
import { bytes, expectCode, expectCodeOf, uniqueName } from './helpers';

/** Streams and topics: ensure is idempotent, get of a missing one is null, list, delete, names. */
export function topologySuite(ctx: SuiteContext): void {
  describe('topology', () => {
    it('ensureStream creates a stream once and returns the same one again', async () => {
      const c = ctx.connector;
      const stream = await ctx.scratch.stream();
      const again = await c.ensureStream(stream);
      const got = await c.getStream(stream);
      expect(got).not.toBeNull();
      expect(got!.name).toBe(stream);
      expect(again.id).toBe(got!.id);
      expect(got!.topicsCount).toBe(0);
      expect(got!.createdAt).toBeInstanceOf(Date);
    });

    it('getStream and getTopic of missing ones return null', async () => {
      const c = ctx.connector;
      expect(await c.getStream(uniqueName('missing'))).toBeNull();
      const stream = await ctx.scratch.stream();
      expect(await c.getTopic(stream, 'missing')).toBeNull();
      expect(await c.getTopic(uniqueName('missing'), 'missing')).toBeNull();
    });

    it('ensureTopic creates a topic with its options, is idempotent and is listed', async () => {
      const c = ctx.connector;
      const stream = await ctx.scratch.stream();
      const created = await c.ensureTopic(stream, 'orders', {
        partitions: 3,
        messageExpiryMs: 3_600_000,
        maxTopicBytes: 10_000_000n,
      });
      expect(created).toMatchObject({
        streamName: stream,
        name: 'orders',
        partitions: 3,
        messageExpiryMs: 3_600_000,
        maxTopicBytes: 10_000_000n,
        messagesCount: 0n,
      });
      // An existing topic is returned as it is, whatever the options say.
      const again = await c.ensureTopic(stream, 'orders', { partitions: 5 });
      expect(again.id).toBe(created.id);
      expect(again.partitions).toBe(3);

      await c.ensureTopic(stream, 'plain', { partitions: 1 });
      const plain = await c.getTopic(stream, 'plain');
      expect(plain).toMatchObject({ partitions: 1, messageExpiryMs: null, maxTopicBytes: null });

      const listed = (await c.listTopics(stream)).map((t) => t.name).sort();
      expect(listed).toEqual(['orders', 'plain']);
      expect((await c.getStream(stream))!.topicsCount).toBe(2);
    });

    it('topic info counts messages', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(2);
      await c.send(stream, topic, 0, [{ payload: bytes('a') }, { payload: bytes('b') }]);
      await c.send(stream, topic, 1, [{ payload: bytes('c') }]);
      const info = await c.getTopic(stream, topic);
      expect(info!.messagesCount).toBe(3n);
      expect(info!.sizeBytes).toBeGreaterThan(0n);
    });

    it('deleteTopic removes the topic and its data; a re-created topic starts empty', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      await c.send(stream, topic, 0, [{ payload: bytes('old') }]);
      await c.deleteTopic(stream, topic);
      expect(await c.getTopic(stream, topic)).toBeNull();
      expect(await c.listTopics(stream)).toEqual([]);
      await expectCode(c.send(stream, topic, 0, [{ payload: bytes('lost') }]), 'NOT_FOUND');
      await c.ensureTopic(stream, topic, { partitions: 1 });
      const poll = () =>
        c.poll(stream, topic, {
          consumer: { kind: 'consumer', id: 1 },
          partition: 0,
          strategy: { kind: 'first' },
          count: 10,
        });
      expect((await poll()).messages).toEqual([]);
      // Sends after the re-creation land in the new topic, from offset 0.
      expect((await c.send(stream, topic, 0, [{ payload: bytes('new') }])).baseOffset).toBe(0n);
      const batch = await poll();
      expect(batch.messages.map((m) => [m.offset, Buffer.from(m.payload).toString()])).toEqual([[0n, 'new']]);
    });

    it('deleteStream removes the stream with its topics', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      await c.deleteStream(stream);
      expect(await c.getStream(stream)).toBeNull();
      expect(await c.getTopic(stream, topic)).toBeNull();
    });

    it('deleting, listing or creating in something missing is NOT_FOUND', async () => {
      const c = ctx.connector;
      const stream = await ctx.scratch.stream();
      await expectCode(c.deleteStream(uniqueName('missing')), 'NOT_FOUND');
      await expectCode(c.deleteTopic(stream, 'missing'), 'NOT_FOUND');
      await expectCode(c.listTopics(uniqueName('missing')), 'NOT_FOUND');
      await expectCode(c.ensureTopic(uniqueName('missing'), 't', { partitions: 1 }), 'NOT_FOUND');
    });

    it('names must be 1–255 UTF-8 bytes', async () => {
      const c = ctx.connector;
      const stream = await ctx.scratch.stream();
      await expectCodeOf(() => c.ensureStream(''), 'VALIDATION');
      await expectCodeOf(() => c.ensureStream('x'.repeat(256)), 'VALIDATION');
      // 128 × 'é' is 256 bytes although only 128 characters.
      await expectCodeOf(() => c.ensureTopic(stream, 'é'.repeat(128), { partitions: 1 }), 'VALIDATION');
      await expectCodeOf(() => c.ensureTopic(stream, '', { partitions: 1 }), 'VALIDATION');
      const longest = 'é'.repeat(127) + 'x';
      expect(Buffer.byteLength(longest)).toBe(255);
      const topic = await c.ensureTopic(stream, longest, { partitions: 1 });
      expect(topic.name).toBe(longest);
    });

    it('a topic needs at least one partition', async () => {
      const c = ctx.connector;
      const stream = await ctx.scratch.stream();
      await expectCodeOf(() => c.ensureTopic(stream, 'zero', { partitions: 0 }), 'VALIDATION');
      await expectCodeOf(() => c.ensureTopic(stream, 'negative', { partitions: -1 }), 'VALIDATION');
      expect(await c.getTopic(stream, 'zero')).toBeNull();
    });
  });
}
