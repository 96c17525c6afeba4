import { setMaxListeners } from 'node:events';
import type { Semaphore } from './semaphore';

/** A running task's hold on a concurrency slot. */
export interface Permit {
  /** Gives the slot back while `work` is pending (e.g. a retry backoff), then takes one again. */
  pause<T>(work: Promise<T>): Promise<T>;
}

/** One unit of keyed work; it runs while holding a slot of the shared semaphore. */
export type KeyedTask = (permit: Permit) => Promise<void>;

/**
 * Runs tasks sequentially per key and concurrently across keys, every task holding a slot of a
 * (possibly shared) semaphore while it runs. Keys are served in the order they became ready.
 */
/** The queued tasks of one key; kept while idle so busy keys do not churn the map. */
interface KeyQueue {
  tasks: KeyedTask[];
  active: boolean;
}

/** Idle keys kept for reuse; beyond this many, idle entries are dropped. */
const MAX_IDLE_KEYS = 1024;

export class KeyScheduler {
  private readonly queues = new Map<string, KeyQueue>();
  private active = 0;
  private readonly stopController = new AbortController();
  private idleWaiters: (() => void)[] = [];
  private running = 0;
  /** Stateless (it only talks to the limiter), so one serves every task. */
  private readonly sharedPermit: Permit;

  /** Creates a scheduler drawing slots from `limiter`; `onError` sees tasks that throw. */
  constructor(
    private readonly limiter: Semaphore,
    private readonly onError: (error: unknown, key: string) => void = () => {},
  ) {
    this.sharedPermit = this.permit();
    // Every key waiting for a slot listens for the stop; that many listeners is expected. The
    // permanent no-op listener keeps the signal's listener table from being rebuilt each time
    // the last waiter leaves.
    setMaxListeners(0, this.stopController.signal);
    this.stopController.signal.addEventListener('abort', () => {});
  }

  /** Keys with queued or running work. */
  get activeKeys(): number {
    return this.active;
  }

  /** Tasks currently running (holding or pausing a slot). */
  get runningTasks(): number {
    return this.running;
  }

  /** True once `stop()` was called. */
  get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  /** Queues `task` behind earlier tasks of `key`; returns false (task dropped) after `stop()`. */
  submit(key: string, task: KeyedTask): boolean {
    if (this.stopped) return false;
    let queue = this.queues.get(key);
    if (queue === undefined) {
      queue = { tasks: [], active: false };
      this.queues.set(key, queue);
    }
    queue.tasks.push(task);
    if (!queue.active) {
      queue.active = true;
      this.active += 1;
      void this.drive(key, queue);
    }
    return true;
  }

  /** Resolves when no task is queued or running. */
  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops every task not started yet and resolves once the running ones have finished. */
  stop(): Promise<void> {
    this.stopController.abort();
    return this.idle();
  }

  private async drive(key: string, queue: KeyQueue): Promise<void> {
    const signal = this.stopController.signal;
    const tasks = queue.tasks;
    while (tasks.length > 0 && !signal.aborted) {
      const task = tasks.shift()!;
      if (!this.limiter.tryAcquire()) {
        if (!(await this.limiter.acquire(signal))) break;
        if (signal.aborted) {
          this.limiter.release();
          break;
        }
      }
      this.running += 1;
      try {
        await task(this.sharedPermit);
      } catch (error) {
        this.onError(error, key);
      } finally {
        this.running -= 1;
        this.limiter.release();
      }
    }
    tasks.length = 0;
    queue.active = false;
    this.active -= 1;
    if (this.queues.size > this.active + MAX_IDLE_KEYS) this.dropIdle();
    if (this.active === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Forgets every idle key (they are re-created on their next task). */
  private dropIdle(): void {
    for (const [key, queue] of this.queues) if (!queue.active) this.queues.delete(key);
  }

  private permit(): Permit {
    const limiter = this.limiter;
    return {
      async pause<T>(work: Promise<T>): Promise<T> {
        limiter.release();
        try {
          return await work;
        } finally {
          await limiter.acquire();
        }
      },
    };
  }
}
