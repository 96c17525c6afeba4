import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WatermarkTracker } from './watermark';

describe('WatermarkTracker', () => {
  it('starts just below the first offset', () => {
    expect(new WatermarkTracker(0n).watermark).toBe(-1n);
    expect(new WatermarkTracker(42n).watermark).toBe(41n);
  });

  it('advances only over a finished prefix', () => {
    const t = new WatermarkTracker(10n);
    for (const o of [10n, 11n, 12n, 13n]) t.track(o);
    expect(t.complete(12n)).toBe(false);
    expect(t.watermark).toBe(9n);
    expect(t.complete(10n)).toBe(true);
    expect(t.watermark).toBe(10n);
    t.complete(11n);
    expect(t.watermark).toBe(12n);
    expect(t.outstanding).toBe(1);
    expect(t.unfinished).toBe(1);
  });

  it('jumps over offsets that were never polled', () => {
    const t = new WatermarkTracker(0n);
    t.track(5n);
    t.track(9n);
    t.complete(9n);
    expect(t.watermark).toBe(-1n);
    t.complete(5n);
    expect(t.watermark).toBe(9n);
  });

  it('rejects out-of-order tracking and ignores unknown or repeated completions', () => {
    const t = new WatermarkTracker(0n);
    t.track(0n);
    expect(() => t.track(0n)).toThrow(RangeError);
    expect(t.complete(7n)).toBe(false);
    expect(t.complete(0n)).toBe(true);
    expect(t.complete(0n)).toBe(false);
  });

  it('never passes an unfinished offset, stays as high as allowed, and reaches the end when all finish', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 1_000_000n }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 300 }),
        fc.infiniteStream(fc.nat()),
        (start, gaps, picks) => {
          const t = new WatermarkTracker(start);
          const offsets: bigint[] = [];
          let o = start - 1n;
          for (const g of gaps) {
            o += BigInt(g);
            offsets.push(o);
            t.track(o);
          }
          const open = new Set(offsets);
          const order = [...offsets];
          const it = picks[Symbol.iterator]();
          while (order.length > 0) {
            const idx = (it.next().value as number) % order.length;
            const [done] = order.splice(idx, 1);
            t.complete(done!);
            open.delete(done!);
            const lowestOpen = [...open].reduce<bigint | null>(
              (m, x) => (m === null || x < m ? x : m),
              null,
            );
            if (lowestOpen === null) continue;
            // Never at or past an unfinished offset, and never lower than it has to be.
            const below = offsets.filter((x) => x < lowestOpen);
            const expected = below.length > 0 ? below[below.length - 1]! : start - 1n;
            if (t.watermark !== expected) return false;
            if (t.outstanding !== offsets.filter((x) => x > t.watermark).length) return false;
          }
          return t.watermark === offsets[offsets.length - 1] && t.outstanding === 0;
        },
      ),
      { numRuns: 200 },
    );
  });
});
