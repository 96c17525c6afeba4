import { describe, expect, it } from 'vitest';
import type { Consumer, IggyConnector } from '../../src/types';
import type { SuiteContext } from './context';
import { bytes, expectCode, expectCodeOf, sleep, texts, uniqueName } from './helpers';

const consumer: Consumer = { kind: 'consumer', id: 7 };

async function sendTexts(
  c: IggyConnector,
  stream: string,
  topic: string,
  values: readonly string[],
): Promise<void> {
  await c.send(
    stream,
    topic,
    0,
    values.map((v) => ({ payload: bytes(v) })),
  );
}

/** Polling strategies, past-the-end, count, auto-commit and long-polling. */
export function pollingSuite(ctx: SuiteContext): void {
  describe('poll', () => {
    it('first starts at the oldest message', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      await sendTexts(c, stream, topic, ['a', 'b', 'c']);
      const batch = await c.poll(stream, topic, {
        consumer,
        partition: 0,
        strategy: { kind: 'first' },
        count: 2,
      });
      expect(texts(batch.messages)).toEqual(['a', 'b']);
      expect(batch.currentOffset).toBe(2n);
    });

    it('last returns the last `count` messages', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      await sendTexts(c, stream, topic, ['a', 'b', 'c', 'd', 'e']);
      const batch = await c.poll(stream, topic, {
        consumer,
        partition: 0,
        strategy: { kind: 'last' },
        count: 2,
      });
      expect(texts(batch.messages)).toEqual(['d', 'e']);
      const all = await c.poll(stream, topic, {
        consumer,
        partition: 0,
        strategy: { kind: 'last' },
        count: 50,
      });
      expect(texts(all.messages)).toEqual(['a', 'b', 'c', 'd', 'e']);
    });

    it('offset starts at that offset (inclusive)', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      await sendTexts(c, stream, topic, ['a', 'b', 'c', 'd']);
      const batch = await c.poll(stream, topic, {
        consumer,
        partition: 0,
        strategy: { kind: 'offset', value: 2n },
        count: 10,
      });
      expect(texts(batch.messages)).toEqual(['c', 'd']);
      expect(batch.messages[0]!.offset).toBe(2n);
    });

    it('timestamp starts at the first message whose broker timestamp is ≥ the value', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      await sendTexts(c, stream, topic, ['a', 'b']);
      await sleep(5);
      await sendTexts(c, stream, topic, ['c', 'd']);
      const all = await c.poll(stream, topic, {
        consumer,
        partition: 0,
        strategy: { kind: 'first' },
        count: 10,
      });
      const tsC = all.messages[2]!.timestamp;
      expect(tsC).toBeGreaterThan(all.messages[1]!.timestamp);
      const fromC = await c.poll(stream, topic, {
        consumer,
        partition: 0,
        strategy: { kind: 'timestamp', value: tsC },
        count: 10,
      });
      expect(texts(fromC.messages)).toEqual(['c', 'd']);
      const justAfterB = await c.poll(stream, topic, {
        consumer,
        partition: 0,
        strategy: { kind: 'timestamp', value: all.messages[1]!.timestamp + 1n },
        count: 10,
      });
      expect(texts(justAfterB.messages)).toEqual(['c', 'd']);
      const fromZero = await c.poll(stream, topic, {
        consumer,
        partition: 0,
        strategy: { kind: 'timestamp', value: 0n },
        count: 10,
      });
      expect(texts(fromZero.messages)).toEqual(['a', 'b', 'c', 'd']);
      const future = await c.poll(stream, topic, {
        consumer,
        partition: 0,
        strategy: { kind: 'timestamp', value: all.messages[3]!.timestamp + 1n },
        count: 10,
      });
      expect(future.messages).toEqual([]);
    });

    it('next starts at 0 when nothing is stored, then at stored + 1', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      await sendTexts(c, stream, topic, ['a', 'b', 'c']);
      const me: Consumer = { kind: 'consumer', id: uniqueName('next') };
      const first = await c.poll(stream, topic, {
        consumer: me,
        partition: 0,
        strategy: { kind: 'next' },
        count: 1,
      });
      expect(texts(first.messages)).toEqual(['a']);
      await c.storeOffset(me, stream, topic, 0, 1n);
      const second = await c.poll(stream, topic, {
        consumer: me,
        partition: 0,
        strategy: { kind: 'next' },
        count: 10,
      });
      expect(texts(second.messages)).toEqual(['c']);
    });

    it('autoCommit stores the last returned offset', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      await sendTexts(c, stream, topic, ['a', 'b', 'c']);
      const me: Consumer = { kind: 'consumer', id: uniqueName('auto') };
      const opts = {
        consumer: me,
        partition: 0,
        strategy: { kind: 'next' } as const,
        count: 2,
        autoCommit: true,
      };
      expect(texts((await c.poll(stream, topic, opts)).messages)).toEqual(['a', 'b']);
      expect(await c.getOffset(me, stream, topic, 0)).toBe(1n);
      expect(texts((await c.poll(stream, topic, opts)).messages)).toEqual(['c']);
      expect(await c.getOffset(me, stream, topic, 0)).toBe(2n);
      expect((await c.poll(stream, topic, opts)).messages).toEqual([]);
      expect(await c.getOffset(me, stream, topic, 0)).toBe(2n);
    });

    it('past the end returns an empty batch, not an error', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      const emptyFirst = await c.poll(stream, topic, {
        consumer,
        partition: 0,
        strategy: { kind: 'first' },
        count: 10,
      });
      expect(emptyFirst.messages).toEqual([]);
      expect(emptyFirst.currentOffset).toBe(-1n);
      await sendTexts(c, stream, topic, ['a']);
      for (const value of [1n, 1000n]) {
        const batch = await c.poll(stream, topic, {
          consumer,
          partition: 0,
          strategy: { kind: 'offset', value },
          count: 10,
        });
        expect(batch.messages).toEqual([]);
        expect(batch.currentOffset).toBe(0n);
      }
    });

    it('long-poll returns empty after waitMs when nothing arrives', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      const started = Date.now();
      const batch = await c.poll(stream, topic, {
        consumer,
        partition: 0,
        strategy: { kind: 'offset', value: 0n },
        count: 10,
        waitMs: 300,
      });
      const elapsed = Date.now() - started;
      expect(batch.messages).toEqual([]);
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(5_000);
    });

    it('long-poll wakes up when a message arrives', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      await sendTexts(c, stream, topic, ['old']);
      const started = Date.now();
      const polling = c.poll(stream, topic, {
        consumer,
        partition: 0,
        strategy: { kind: 'offset', value: 1n },
        count: 10,
        waitMs: 20_000,
      });
      await sleep(100);
      await sendTexts(c, stream, topic, ['new']);
      const batch = await polling;
      expect(texts(batch.messages)).toEqual(['new']);
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('an aborted signal ends a long-poll early', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      const controller = new AbortController();
      const started = Date.now();
      const polling = c.poll(stream, topic, {
        consumer,
        partition: 0,
        strategy: { kind: 'first' },
        count: 10,
        waitMs: 20_000,
        signal: controller.signal,
      });
      await sleep(50);
      controller.abort();
      const batch = await polling;
      expect(batch.messages).toEqual([]);
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('polling something missing is NOT_FOUND; bad options are VALIDATION', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      const base = { consumer, partition: 0, strategy: { kind: 'first' } as const, count: 1 };
      await expectCode(c.poll(uniqueName('missing'), topic, base), 'NOT_FOUND');
      await expectCode(c.poll(stream, 'missing', base), 'NOT_FOUND');
      await expectCode(c.poll(stream, topic, { ...base, partition: 1 }), 'NOT_FOUND');
      await expectCodeOf(() => c.poll(stream, topic, { ...base, count: 0 }), 'VALIDATION');
      await expectCodeOf(
        () => c.poll(stream, topic, { ...base, strategy: { kind: 'offset', value: -1n } }),
        'VALIDATION',
      );
    });
  });
}
