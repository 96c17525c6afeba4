/** Bytes of one offset-index entry: relative offset u32, position u32. */
export const INDEX_ENTRY_BYTES = 8;
/** Bytes of one time-index entry: timestamp u64 (µs), relative offset u32. */
export const TIME_ENTRY_BYTES = 12;

const TWO_32 = 4294967296;

/**
 * The in-memory sparse index of one segment: the offset index and the time index hold one entry
 * each for the same batches (the first batch of the segment, then the first batch starting at
 * least `indexIntervalBytes` after the previous entry). Growable for the active segment.
 */
export class SparseIndex {
  private offsets: Buffer;
  private times: Buffer;
  private entries: number;

  constructor(offsets?: Buffer, times?: Buffer, count?: number) {
    this.offsets = offsets ?? Buffer.allocUnsafe(64 * INDEX_ENTRY_BYTES);
    this.times = times ?? Buffer.allocUnsafe(64 * TIME_ENTRY_BYTES);
    this.entries = count ?? 0;
  }

  /** Number of entries. */
  get count(): number {
    return this.entries;
  }

  /** Relative offset of entry `i`. */
  relOffset(i: number): number {
    return this.offsets.readUInt32LE(i * INDEX_ENTRY_BYTES);
  }

  /** File position of entry `i`. */
  position(i: number): number {
    return this.offsets.readUInt32LE(i * INDEX_ENTRY_BYTES + 4);
  }

  /** Timestamp (µs) of entry `i`. */
  timestamp(i: number): number {
    const at = i * TIME_ENTRY_BYTES;
    return this.times.readUInt32LE(at + 4) * TWO_32 + this.times.readUInt32LE(at);
  }

  /** Relative offset recorded in time entry `i` (equals `relOffset(i)` in a valid index). */
  timeRelOffset(i: number): number {
    return this.times.readUInt32LE(i * TIME_ENTRY_BYTES + 8);
  }

  /** Appends encoded entries (as written to the files). */
  appendEncoded(indexEntries: Buffer, timeEntries: Buffer, count: number): void {
    const needed = this.entries + count;
    if (needed * INDEX_ENTRY_BYTES > this.offsets.length) {
      const capacity = Math.max(needed, this.entries * 2);
      const offsets = Buffer.allocUnsafe(capacity * INDEX_ENTRY_BYTES);
      this.offsets.copy(offsets, 0, 0, this.entries * INDEX_ENTRY_BYTES);
      const times = Buffer.allocUnsafe(capacity * TIME_ENTRY_BYTES);
      this.times.copy(times, 0, 0, this.entries * TIME_ENTRY_BYTES);
      this.offsets = offsets;
      this.times = times;
    }
    indexEntries.copy(this.offsets, this.entries * INDEX_ENTRY_BYTES, 0, count * INDEX_ENTRY_BYTES);
    timeEntries.copy(this.times, this.entries * TIME_ENTRY_BYTES, 0, count * TIME_ENTRY_BYTES);
    this.entries = needed;
  }

  /** Appends one entry. */
  append(relOffset: number, position: number, timestamp: number): void {
    const index = Buffer.allocUnsafe(INDEX_ENTRY_BYTES);
    index.writeUInt32LE(relOffset, 0);
    index.writeUInt32LE(position, 4);
    const time = Buffer.allocUnsafe(TIME_ENTRY_BYTES);
    time.writeUInt32LE(timestamp >>> 0, 0);
    time.writeUInt32LE(Math.floor(timestamp / TWO_32), 4);
    time.writeUInt32LE(relOffset, 8);
    this.appendEncoded(index, time, 1);
  }

  /** Drops entries from `count` on. */
  truncate(count: number): void {
    if (count < this.entries) this.entries = count;
  }

  /** Index of the last entry with relative offset ≤ `rel`, or -1. */
  floorByOffset(rel: number): number {
    let lo = 0;
    let hi = this.entries - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relOffset(mid) <= rel) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Index of the last entry with position ≤ `position`, or -1. */
  floorByPosition(position: number): number {
    let lo = 0;
    let hi = this.entries - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.position(mid) <= position) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Index of the last entry with timestamp < `timestamp`, or -1. */
  lastBeforeTimestamp(timestamp: number): number {
    let lo = 0;
    let hi = this.entries - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamp(mid) < timestamp) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** The offset-index file content. */
  offsetBytes(): Buffer {
    return this.offsets.subarray(0, this.entries * INDEX_ENTRY_BYTES);
  }

  /** The time-index file content. */
  timeBytes(): Buffer {
    return this.times.subarray(0, this.entries * TIME_ENTRY_BYTES);
  }

  /**
   * Builds an index from file contents, keeping the longest prefix that is consistent: both files
   * agree on relative offsets, relative offsets and positions strictly increase, timestamps do not
   * decrease, and positions lie inside a log of `logSize` bytes.
   */
  static fromFiles(offsetFile: Buffer, timeFile: Buffer, logSize: number): SparseIndex {
    const max = Math.min(
      Math.floor(offsetFile.length / INDEX_ENTRY_BYTES),
      Math.floor(timeFile.length / TIME_ENTRY_BYTES),
    );
    const index = new SparseIndex(offsetFile, timeFile, max);
    let valid = 0;
    for (let i = 0; i < max; i++) {
      const rel = index.relOffset(i);
      const pos = index.position(i);
      if (index.timeRelOffset(i) !== rel || pos >= logSize) break;
      if (i === 0 ? rel !== 0 || pos !== 0 : rel <= index.relOffset(i - 1) || pos <= index.position(i - 1)) break;
      if (i > 0 && index.timestamp(i) < index.timestamp(i - 1)) break;
      valid = i + 1;
    }
    index.truncate(valid);
    return index;
  }
}
