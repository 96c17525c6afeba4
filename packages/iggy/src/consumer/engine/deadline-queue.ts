/** An armed deadline; `cancel()` disarms it (idempotent). */
export interface Deadline {
  cancel(): void;
}

class Entry implements Deadline {
  done = false;

  constructor(
    readonly at: number,
    /** Cleared when the entry is done, so a cancelled entry holds nothing of its attempt. */
    public onExpire: (() => void) | null,
    private readonly queue: DeadlineQueue,
  ) {}

  cancel(): void {
    this.queue.disarm(this);
  }
}

/**
 * Deadlines that all lie the same `timeoutMs` after they are armed, served by ONE timer instead
 * of a timer per deadline: armed in time order, they expire in that order, so the timer only
 * ever waits for the oldest live one. A cancelled entry lets go of its callback at once and
 * leaves the queue as soon as every entry before it is done (attempts mostly finish in order),
 * so finished attempts are not kept for `timeoutMs`; when none is live the timer is cleared, so
 * an idle queue never keeps the process alive.
 */
export class DeadlineQueue {
  readonly #timeoutMs: number;
  #entries: Entry[] = [];
  #head = 0;
  #live = 0;
  #timer: NodeJS.Timeout | undefined;

  /** A queue whose deadlines expire `timeoutMs` after `arm()`. */
  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** Deadlines armed and neither expired nor cancelled. */
  get live(): number {
    return this.#live;
  }

  /** Entries still held (live ones and done ones not yet dropped); for tests. */
  get held(): number {
    return this.#entries.length - this.#head;
  }

  /** Calls `onExpire` once `timeoutMs` from now, unless cancelled first. */
  arm(onExpire: () => void): Deadline {
    const entry = new Entry(performance.now() + this.#timeoutMs, onExpire, this);
    this.#entries.push(entry);
    this.#live += 1;
    if (this.#timer === undefined) this.#schedule(entry.at);
    return entry;
  }

  /** Cancels `entry` (see `Deadline.cancel`). */
  disarm(entry: Entry): void {
    if (entry.done) return;
    entry.done = true;
    entry.onExpire = null;
    this.#live -= 1;
    if (this.#live === 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#entries = [];
      this.#head = 0;
      return;
    }
    while (this.#head < this.#entries.length && this.#entries[this.#head]!.done) this.#head += 1;
    this.#compact();
  }

  /** Drops the done entries before the head once they are the larger part of the array. */
  #compact(): void {
    if (this.#head === this.#entries.length) {
      this.#entries = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  #schedule(at: number): void {
    this.#timer = setTimeout(() => this.#expire(), Math.max(1, at - performance.now()));
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    while (this.#head < this.#entries.length) {
      const entry = this.#entries[this.#head]!;
      if (!entry.done && entry.at > now) break;
      this.#head += 1;
      if (entry.done) continue;
      const onExpire = entry.onExpire;
      entry.done = true;
      entry.onExpire = null;
      this.#live -= 1;
      onExpire?.();
    }
    this.#compact();
    const next = this.#entries[this.#head];
    if (next !== undefined && this.#timer === undefined) this.#schedule(next.at);
  }
}
