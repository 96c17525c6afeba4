/**
 * Group commit: callers ask for "an fsync that starts after now". While one fsync runs, every
 * new request waits for the next one, which starts as soon as the running one ends — so any
 * number of concurrent appends share one fsync per round.
 */
export class GroupCommit {
  private running: Promise<void> | null = null;
  private next: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | null = null;

  /** `flush` performs one fsync round (it captures what it covers when it starts). */
  constructor(private readonly flush: () => Promise<void>) {}

  /** Resolves after an fsync that started after this call has completed. */
  request(): Promise<void> {
    if (this.running === null) return this.start();
    if (this.next === null) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.next = { promise, resolve, reject };
    }
    return this.next.promise;
  }

  /** Resolves when no fsync round is running or queued. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running.catch(() => {});
  }

  private start(): Promise<void> {
    const round = this.flush().finally(() => {
      this.running = null;
      const waiting = this.next;
      if (waiting !== null) {
        this.next = null;
        this.start().then(waiting.resolve, waiting.reject);
      }
    });
    this.running = round;
    return round;
  }
}
