/** An armed deadline; `cancel()` disarms it (idempotent). */
export interface Deadline {
  cancel(): void;
}

class Entry implements Deadline {
  done = false;

  constructor(
    readonly at: number,
    readonly onExpire: () => void,
    private readonly queue: DeadlineQueue,
  ) {}

  cancel(): void {
    this.queue.disarm(this);
  }
}

/**
 * Deadlines that all lie the same `timeoutMs` after they are armed, served by ONE timer instead
 * of a timer per deadline: armed in time order, they expire in that order, so the timer only
 * ever waits for the oldest live one. Cancelled entries are dropped lazily; when none is live
 * the timer is cleared, so an idle queue never keeps the process alive.
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
    this.#live -= 1;
    if (this.#live === 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#entries = [];
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
      entry.done = true;
      this.#live -= 1;
      entry.onExpire();
    }
    if (this.#head === this.#entries.length) {
      this.#entries = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    const next = this.#entries[this.#head];
    if (next !== undefined && this.#timer === undefined) this.#schedule(next.at);
  }
}
