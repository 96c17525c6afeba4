import { describe, expect, it } from 'vitest';
import { Semaphore } from './semaphore';

describe('Semaphore', () => {
  it('grants up to the limit, then queues in FIFO order', async () => {
    const s = new Semaphore(2);
    expect(await s.acquire()).toBe(true);
    expect(await s.acquire()).toBe(true);
    const order: number[] = [];
    const a = s.acquire().then(() => order.push(1));
    const b = s.acquire().then(() => order.push(2));
    expect(s.waiting).toBe(2);
    s.release();
    s.release();
    await Promise.all([a, b]);
    expect(order).toEqual([1, 2]);
    expect(s.inUse).toBe(2);
  });

  it('abandons a wait when the signal aborts', async () => {
    const s = new Semaphore(1);
    await s.acquire();
    const controller = new AbortController();
    const waiting = s.acquire(controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
    expect(s.waiting).toBe(0);
    s.release();
    expect(s.inUse).toBe(0);
    expect(await s.acquire(controller.signal)).toBe(false);
  });

  it('rejects a bad limit', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
