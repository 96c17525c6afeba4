/**
 * Per-partition commit watermark: offsets are tracked in poll order and completed in any order;
 * the watermark is the highest offset at and below which every tracked offset has completed,
 * so storing it as the group offset never skips unfinished work.
 */
export class WatermarkTracker {
  /** Tracked offsets above the watermark, ascending, starting at `head`. */
  private pending: bigint[] = [];
  private head = 0;
  private readonly done = new Set<bigint>();
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
    return this.outstanding - this.done.size;
  }

  /** Registers a polled offset; offsets must be tracked in strictly increasing order. */
  track(offset: bigint): void {
    if (offset <= this.last) {
      throw new RangeError(`offset ${offset} tracked out of order (last ${this.last})`);
    }
    this.last = offset;
    this.pending.push(offset);
  }

  /** Marks a tracked offset finished; returns true when the watermark moved. */
  complete(offset: bigint): boolean {
    if (offset <= this.mark || offset > this.last || this.done.has(offset)) return false;
    this.done.add(offset);
    const before = this.mark;
    while (this.head < this.pending.length) {
      const next = this.pending[this.head]!;
      if (!this.done.has(next)) break;
      this.done.delete(next);
      this.mark = next;
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    return this.mark !== before;
  }
}
