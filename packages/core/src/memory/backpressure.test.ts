import { describe, expect, it } from 'vitest';
import { backpressureState, worstState } from './backpressure';

describe('backpressureState', () => {
  it('switches at 70 % and 90 % by default', () => {
    const t = { warningRatio: 0.7, criticalRatio: 0.9 };
    expect([0, 6, 7, 8, 9, 10].map((n) => backpressureState(n, 10, t))).toEqual([
      'normal',
      'normal',
      'warning',
      'warning',
      'critical',
      'critical',
    ]);
    expect(worstState('warning', 'critical')).toBe('critical');
    expect(worstState('warning', 'normal')).toBe('warning');
  });
});
