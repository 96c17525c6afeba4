import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyScheduler } from './key-scheduler';
import { Semaphore } from './semaphore';

const tick = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A promise plus the function that resolves it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('KeyScheduler', () => {
  it('keeps each key in order while keys run in parallel, within the bound', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3 })), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 4 }),
        async (jobs, limit) => {
          const limiter = new Semaphore(limit);
          const scheduler = new KeyScheduler(limiter);
          const seen = new Map<string, number[]>();
          let running = 0;
          let peak = 0;
          jobs.forEach(([k, delay], index) => {
            const key = `k${k}`;
            scheduler.submit(key, async () => {
              running += 1;
              peak = Math.max(peak, running);
              await tick(delay);
              seen.set(key, [...(seen.get(key) ?? []), index]);
              running -= 1;
            });
          });
          await scheduler.idle();
          if (peak > limit) return false;
          for (const [key, indexes] of seen) {
            const expected = jobs.flatMap(([k], i) => (`k${k}` === key ? [i] : []));
            if (indexes.join() !== expected.join()) return false;
          }
          return [...seen.values()].flat().length === jobs.length && limiter.inUse === 0;
        },
      ),
      { numRuns: 40 },
    );
  });

  it('lets other keys run while one key is slow', async () => {
    const scheduler = new KeyScheduler(new Semaphore(4));
    const slow = deferred();
    const done: string[] = [];
    scheduler.submit('a', async () => {
      await slow.promise;
      done.push('a1');
    });
    scheduler.submit('a', async () => {
      done.push('a2');
    });
    for (let i = 0; i < 5; i++) scheduler.submit('b', async () => void done.push(`b${i}`));
    await tick(5);
    expect(done).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    slow.resolve();
    await scheduler.idle();
    expect(done.slice(5)).toEqual(['a1', 'a2']);
  });

  it('shares one bound between schedulers', async () => {
    const limiter = new Semaphore(2);
    const one = new KeyScheduler(limiter);
    const two = new KeyScheduler(limiter);
    const gate = deferred();
    let running = 0;
    let peak = 0;
    const task = async () => {
      running += 1;
      peak = Math.max(peak, running);
      await gate.promise;
      running -= 1;
    };
    for (let i = 0; i < 3; i++) {
      one.submit(`x${i}`, task);
      two.submit(`y${i}`, task);
    }
    await tick(5);
    expect(running).toBe(2);
    gate.resolve();
    await Promise.all([one.idle(), two.idle()]);
    expect(peak).toBe(2);
  });

  it('releases the slot while a task pauses', async () => {
    const limiter = new Semaphore(1);
    const scheduler = new KeyScheduler(limiter);
    const order: string[] = [];
    const backoff = deferred();
    scheduler.submit('a', async (permit) => {
      order.push('a:start');
      await permit.pause(backoff.promise);
      order.push('a:resume');
    });
    scheduler.submit('b', async () => void order.push('b'));
    await tick(5);
    expect(order).toEqual(['a:start', 'b']);
    backoff.resolve();
    await scheduler.idle();
    expect(order).toEqual(['a:start', 'b', 'a:resume']);
    expect(limiter.inUse).toBe(0);
  });

  it('stop drops queued work and waits for running work', async () => {
    const limiter = new Semaphore(1);
    const scheduler = new KeyScheduler(limiter);
    const gate = deferred();
    const ran: string[] = [];
    scheduler.submit('a', async () => {
      await gate.promise;
      ran.push('a1');
    });
    scheduler.submit('a', async () => void ran.push('a2'));
    scheduler.submit('b', async () => void ran.push('b1'));
    await tick(1);
    let stopped = false;
    const stopping = scheduler.stop().then(() => {
      stopped = true;
    });
    await tick(1);
    expect(stopped).toBe(false);
    expect(scheduler.submit('c', async () => void ran.push('c'))).toBe(false);
    gate.resolve();
    await stopping;
    expect(ran).toEqual(['a1']);
    expect(limiter.inUse).toBe(0);
  });

  it('reports a throwing task and keeps going', async () => {
    const errors: string[] = [];
    const scheduler = new KeyScheduler(new Semaphore(1), (e, key) =>
      errors.push(`${key}:${(e as Error).message}`),
    );
    const ran: number[] = [];
    scheduler.submit('k', async () => {
      throw new Error('boom');
    });
    scheduler.submit('k', async () => void ran.push(2));
    await scheduler.idle();
    expect(errors).toEqual(['k:boom']);
    expect(ran).toEqual([2]);
  });

  it('lets many keys wait for a slot without a listener-leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const gate = deferred();
      const scheduler = new KeyScheduler(new Semaphore(1));
      scheduler.submit('holder', () => gate.promise);
      for (let i = 0; i < 50; i++) scheduler.submit(`k${i}`, async () => {});
      await tick(1);
      expect(scheduler.activeKeys).toBe(51);
      gate.resolve();
      await scheduler.idle();
      await tick(1);
      expect(scheduler.activeKeys).toBe(0);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('forgets idle keys once there are many of them, and serves them again later', async () => {
    const scheduler = new KeyScheduler(new Semaphore(4));
    const ran: string[] = [];
    for (let i = 0; i < 3000; i++) scheduler.submit(`k${i}`, async () => void ran.push(`k${i}`));
    await scheduler.idle();
    scheduler.submit('k1', async () => void ran.push('again'));
    await scheduler.idle();
    expect(ran.length).toBe(3001);
    expect(ran.at(-1)).toBe('again');
    expect(scheduler.activeKeys).toBe(0);
  });
});
