import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineQueue } from './deadline-queue';

describe('DeadlineQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires each deadline timeoutMs after it was armed, in order, with one timer', () => {
    const queue = new DeadlineQueue(100);
    const fired: string[] = [];
    queue.arm(() => fired.push('a'));
    vi.advanceTimersByTime(40);
    queue.arm(() => fired.push('b'));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(59);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(39);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['a', 'b']);
    expect(queue.live).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never fires a cancelled deadline and skips it for the next one', () => {
    const queue = new DeadlineQueue(100);
    const fired: string[] = [];
    const a = queue.arm(() => fired.push('a'));
    vi.advanceTimersByTime(10);
    queue.arm(() => fired.push('b'));
    a.cancel();
    a.cancel();
    expect(queue.live).toBe(1);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual(['b']);
  });

  it('clears its timer when nothing is live, so an idle queue holds no timer', () => {
    const queue = new DeadlineQueue(30_000);
    const deadlines = Array.from({ length: 5 }, () => queue.arm(() => {}));
    expect(vi.getTimerCount()).toBe(1);
    for (const d of deadlines) d.cancel();
    expect(vi.getTimerCount()).toBe(0);
    const fired: number[] = [];
    queue.arm(() => fired.push(1));
    vi.advanceTimersByTime(30_000);
    expect(fired).toEqual([1]);
  });

  it('lets go of finished attempts at once instead of holding them until the timeout', () => {
    const queue = new DeadlineQueue(30_000);
    const keepAlive = queue.arm(() => {}); // one long-running attempt stays live throughout
    for (let i = 0; i < 10_000; i++) queue.arm(() => {}).cancel();
    // Entries cancelled behind a live one wait for it, but without their callbacks (and what those hold).
    expect(queue.live).toBe(1);
    expect(queue.held).toBe(10_001);
    keepAlive.cancel();
    expect(queue.held).toBe(0);
    const first = queue.arm(() => {});
    const second = queue.arm(() => {});
    first.cancel();
    expect(queue.held).toBe(1);
    second.cancel();
    expect(queue.held).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('drops cancelled entries in order while attempts keep running', () => {
    const queue = new DeadlineQueue(30_000);
    let previous = queue.arm(() => {});
    for (let i = 0; i < 10_000; i++) {
      const next = queue.arm(() => {});
      previous.cancel();
      previous = next;
    }
    expect(queue.live).toBe(1);
    expect(queue.held).toBe(1);
  });
});
