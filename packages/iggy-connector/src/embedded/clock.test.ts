import { describe, expect, it } from 'vitest';
import { systemClock } from './clock';

describe('systemClock', () => {
  it('gives wall time in µs that never goes backwards', () => {
    const wall = BigInt(Date.now()) * 1000n;
    let last = systemClock.nowMicros();
    expect(last - wall < 1_000_000n && wall - last < 1_000_000n).toBe(true);
    for (let i = 0; i < 10_000; i++) {
      const now = systemClock.nowMicros();
      expect(now >= last).toBe(true);
      last = now;
    }
    expect(Math.abs(systemClock.nowMs() - Date.now())).toBeLessThan(1000);
  });
});
