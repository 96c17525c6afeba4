import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer';

describe('RingBuffer', () => {
  it('is FIFO across growth and wrap-around', () => {
    const q = new RingBuffer<number>();
    const expected: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 7; i++) {
        q.push(next);
        expected.push(next++);
      }
      for (let i = 0; i < 5; i++) expect(q.shift()).toBe(expected.shift());
    }
    expect(q.size).toBe(expected.length);
    expect(q.peek()).toBe(expected[0]);
    while (q.size > 0) expect(q.shift()).toBe(expected.shift());
    expect(q.shift()).toBeUndefined();
    expect(q.peek()).toBeUndefined();
  });
});
