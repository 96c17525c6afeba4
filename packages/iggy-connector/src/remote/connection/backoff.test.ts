import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const policy = { initialMs: 100, maxMs: 10_000, jitter: false };

  it('doubles from the initial delay up to the cap', () => {
    expect([0, 1, 2, 3, 6, 7, 8, 40].map((a) => backoffDelay(a, policy))).toEqual([
      100, 200, 400, 800, 6400, 10_000, 10_000, 10_000,
    ]);
  });

  it('jitters within [base/2, base]', () => {
    const jittered = { ...policy, jitter: true };
    expect(backoffDelay(3, jittered, () => 0)).toBe(400);
    expect(backoffDelay(3, jittered, () => 1)).toBe(800);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(10, jittered);
      expect(d).toBeGreaterThanOrEqual(5_000);
      expect(d).toBeLessThanOrEqual(10_000);
    }
  });
});
