/** A counting semaphore with a FIFO wait queue; waits can be abandoned with an AbortSignal. */
export class Semaphore {
  private used = 0;
  private readonly waiters: { grant: () => void }[] = [];

  /** Creates a semaphore allowing `limit` holders at once (at least 1). */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be an integer ≥ 1');
  }

  /** Slots currently held. */
  get inUse(): number {
    return this.used;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Takes a free slot now when there is one (and nobody waits); returns false otherwise. */
  tryAcquire(): boolean {
    if (this.used < this.limit && this.waiters.length === 0) {
      this.used += 1;
      return true;
    }
    return false;
  }

  /**
   * Takes a slot, waiting in FIFO order when none is free. Resolves `true` once held, or `false`
   * (holding nothing) when `signal` aborts first.
   */
  acquire(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    if (this.used < this.limit) {
      this.used += 1;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(true);
        },
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        resolve(false);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Returns a slot; the longest waiter, if any, receives it directly. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next.grant();
    else if (this.used > 0) this.used -= 1;
  }
}
