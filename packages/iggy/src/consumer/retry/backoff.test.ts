import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it('keeps a fixed delay', () => {
    const policy = { backoff: 'fixed', initialDelayMs: 50, maxDelayMs: 1000 } as const;
    expect([1, 2, 10].map((n) => backoffDelay(policy, n))).toEqual([50, 50, 50]);
  });

  it('doubles up to the cap', () => {
    const policy = { backoff: 'exponential', initialDelayMs: 10, maxDelayMs: 100 } as const;
    expect([1, 2, 3, 4, 5, 60].map((n) => backoffDelay(policy, n))).toEqual([
      10, 20, 40, 80, 100, 100,
    ]);
  });

  it('jitters within the upper half of the exponential value', () => {
    const policy = { backoff: 'exponential-jitter', initialDelayMs: 8, maxDelayMs: 64 } as const;
    expect(backoffDelay(policy, 3, () => 0)).toBe(16);
    expect(backoffDelay(policy, 3, () => 0.999_999)).toBe(32);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (n, r) => {
        const d = backoffDelay(policy, n, () => r);
        const full = Math.min(64, 8 * 2 ** (n - 1));
        return d >= full / 2 && d <= full;
      }),
    );
  });

  it('never returns a negative or infinite delay', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('fixed', 'exponential', 'exponential-jitter' as const),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: -5, max: 5000 }),
        (backoff, initialDelayMs, maxDelayMs, attempt) => {
          const d = backoffDelay({ backoff, initialDelayMs, maxDelayMs }, attempt);
          return Number.isFinite(d) && d >= 0 && d <= Math.max(initialDelayMs, maxDelayMs);
        },
      ),
    );
  });
});
