import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff';

describe('backoffDelay', () => {
  it('doubles from 1 s and caps at 60 s without jitter', () => {
    const policy = { ...DEFAULT_BACKOFF, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => backoffDelay(n, policy))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('stays within [d·(1−jitter), d] for any attempt and random value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (n, r) => {
        const full = Math.min(60_000, 1000 * 2 ** Math.min(n - 1, 52));
        const d = backoffDelay(n, DEFAULT_BACKOFF, () => r);
        return d <= full && d >= full * 0.5;
      }),
    );
  });
});
