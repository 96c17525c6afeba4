import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, mergeRetry, retryDelayMs } from './retry';

describe('retryDelayMs', () => {
  const base = { ...DEFAULT_RETRY, initialDelayMs: 100, maxDelayMs: 1_000 };

  it('doubles up to the cap, or stays fixed', () => {
    const exp = { ...base, backoff: 'exponential' as const };
    expect([1, 2, 3, 4, 5, 60].map((n) => retryDelayMs(exp, n))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(retryDelayMs({ ...base, backoff: 'fixed' }, 5)).toBe(100);
  });

  it('jitters within [d/2, d]', () => {
    const jit = { ...base, backoff: 'exponential-jitter' as const };
    expect(retryDelayMs(jit, 3, () => 0)).toBe(200);
    expect(retryDelayMs(jit, 3, () => 1)).toBe(400);
  });

  it('merges overrides over defaults', () => {
    expect(mergeRetry(DEFAULT_RETRY, { maxAttempts: 9 })).toEqual({ ...DEFAULT_RETRY, maxAttempts: 9 });
    expect(mergeRetry(DEFAULT_RETRY, undefined)).toEqual(DEFAULT_RETRY);
  });
});
