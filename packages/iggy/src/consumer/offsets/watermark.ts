/**
 * Per-partition commit watermark: offsets are tracked in poll order and completed in any order;
 * the watermark is the highest offset at and below which every tracked offset has completed,
 * so storing it as the group offset never skips unfinished work.
 */
export class WatermarkTracker {
  /** Tracked offsets above the watermark, ascending, starting at `head`. */
  private pending: bigint[] = [];
  /** `finished[i]`: whether `pending[i]` completed (kept beside it; no set churns per message). */
  private finished: boolean[] = [];
  private head = 0;
  /** Completed offsets not yet passed by the watermark. */
  private doneAhead = 0;
  private mark: bigint;
  private last: bigint;

  /** Starts a tracker whose first offset will be `start` (the watermark begins at `start - 1`). */
  constructor(start: bigint) {
    this.mark = start - 1n;
    this.last = start - 1n;
  }

  /** Highest offset with all tracked work at and below it finished (`start - 1` at first). */
  get watermark(): bigint {
    return this.mark;
  }

  /** Highest offset tracked so far. */
  get lastTracked(): bigint {
    return this.last;
  }

  /** Offsets tracked above the watermark, finished or not: the partition's in-flight window. */
  get outstanding(): number {
    return this.pending.length - this.head;
  }

  /** Offsets tracked and not finished yet. */
  get unfinished(): number {
    return this.outstanding - this.doneAhead;
  }

  /** Registers a polled offset; offsets must be tracked in strictly increasing order. */
  track(offset: bigint): void {
    if (offset <= this.last) {
      throw new RangeError(`offset ${offset} tracked out of order (last ${this.last})`);
    }
    this.last = offset;
    this.pending.push(offset);
    this.finished.push(false);
  }

  /** Marks a tracked offset finished; returns true when the watermark moved. */
  complete(offset: bigint): boolean {
    if (offset <= this.mark || offset > this.last) return false;
    const at = this.indexOf(offset);
    if (at < 0 || this.finished[at]) return false;
    this.finished[at] = true;
    this.doneAhead += 1;
    const before = this.mark;
    while (this.head < this.pending.length && this.finished[this.head]) {
      this.mark = this.pending[this.head]!;
      this.head += 1;
      this.doneAhead -= 1;
    }
    if (this.head === this.pending.length) {
      this.pending.length = 0;
      this.finished.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.finished = this.finished.slice(this.head);
      this.head = 0;
    }
    return this.mark !== before;
  }

  /** Index of `offset` in `pending` at or after `head` (offsets are ascending), or -1. */
  private indexOf(offset: bigint): number {
    const pending = this.pending;
    // Polled offsets are usually consecutive: try the direct position first.
    const guess = this.head + Number(offset - pending[this.head]!);
    if (guess < pending.length && pending[guess] === offset) return guess;
    let lo = this.head;
    let hi = pending.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const value = pending[mid]!;
      if (value === offset) return mid;
      if (value < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
