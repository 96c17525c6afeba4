import { describe, expect, it } from 'vitest';
import type { Consumer } from '../../src/types';
import type { SuiteContext } from './context';
import { bytes, expectCode, expectCodeOf, texts, uniqueName } from './helpers';

/** Stored offsets: meaning, per-partition independence, delete and the error cases. */
export function offsetsSuite(ctx: SuiteContext): void {
  describe('offsets', () => {
    it('getOffset is null until stored; a stored offset reads back', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(2);
      await c.send(stream, topic, 0, [{ payload: bytes('a') }, { payload: bytes('b') }]);
      const me: Consumer = { kind: 'consumer', id: uniqueName('c') };
      expect(await c.getOffset(me, stream, topic, 0)).toBeNull();
      await c.storeOffset(me, stream, topic, 0, 1n);
      expect(await c.getOffset(me, stream, topic, 0)).toBe(1n);
      await c.storeOffset(me, stream, topic, 0, 0n);
      expect(await c.getOffset(me, stream, topic, 0)).toBe(0n);
      expect(await c.getOffset(me, stream, topic, 1)).toBeNull();
      const other: Consumer = { kind: 'consumer', id: uniqueName('c') };
      expect(await c.getOffset(other, stream, topic, 0)).toBeNull();
    });

    it('numeric consumer ids work like string ids', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      await c.send(stream, topic, 0, [{ payload: bytes('a') }]);
      const me: Consumer = { kind: 'consumer', id: 4242 };
      await c.storeOffset(me, stream, topic, 0, 0n);
      expect(await c.getOffset(me, stream, topic, 0)).toBe(0n);
    });

    it('deleteOffset removes it: next polls from 0 again', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      await c.send(stream, topic, 0, [{ payload: bytes('a') }, { payload: bytes('b') }]);
      const me: Consumer = { kind: 'consumer', id: uniqueName('c') };
      await c.storeOffset(me, stream, topic, 0, 1n);
      await c.deleteOffset(me, stream, topic, 0);
      expect(await c.getOffset(me, stream, topic, 0)).toBeNull();
      const batch = await c.poll(stream, topic, {
        consumer: me,
        partition: 0,
        strategy: { kind: 'next' },
        count: 10,
      });
      expect(texts(batch.messages)).toEqual(['a', 'b']);
    });

    it('storing beyond the last offset is INVALID_OFFSET; negative is VALIDATION', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      const me: Consumer = { kind: 'consumer', id: uniqueName('c') };
      await expectCode(c.storeOffset(me, stream, topic, 0, 0n), 'INVALID_OFFSET');
      await c.send(stream, topic, 0, [{ payload: bytes('a') }, { payload: bytes('b') }]);
      await c.storeOffset(me, stream, topic, 0, 1n);
      await expectCode(c.storeOffset(me, stream, topic, 0, 2n), 'INVALID_OFFSET');
      await expectCodeOf(() => c.storeOffset(me, stream, topic, 0, -1n), 'VALIDATION');
      expect(await c.getOffset(me, stream, topic, 0)).toBe(1n);
    });

    it('offsets of something missing are NOT_FOUND', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      const me: Consumer = { kind: 'consumer', id: uniqueName('c') };
      await expectCode(c.storeOffset(me, uniqueName('missing'), topic, 0, 0n), 'NOT_FOUND');
      await expectCode(c.getOffset(me, stream, 'missing', 0), 'NOT_FOUND');
      await expectCode(c.getOffset(me, stream, topic, 5), 'NOT_FOUND');
      const group: Consumer = { kind: 'group', name: uniqueName('no-such-group') };
      await expectCode(c.getOffset(group, stream, topic, 0), 'NOT_FOUND');
    });
  });
}
