import { ClosedError, ErrorCodes, StorageError, ValidationError } from '@rustok/core';
import { readFully, writeFully } from './file-io';
import { GroupCommit } from './group-commit';
import { PartitionLogOptionsSchema, type ResolvedPartitionLogOptions } from './options';
import {
  CRC_SEED,
  checkRecord,
  crcOf,
  encodeBatch,
  encodedSize,
  FIELD_HEADERS_LENGTH,
  FIELD_ORIGIN,
  FIELD_PAYLOAD_LENGTH,
  FIELD_TIMESTAMP,
  MAX_RECORD_BYTES,
  MAX_SAFE_U64,
  RECORD_HEADER_BYTES,
  RECORD_OVERHEAD,
  readId,
  readU64,
} from './record-format';
import { parseSegmentFileName, Segment } from './segment';
import { recoverSegment } from './segment-recovery';
import { SparseIndex } from './sparse-index';
import type {
  AppendRecord,
  FileHandleLike,
  LogProblem,
  PartitionLog,
  PartitionLogOptions,
  SegmentInfo,
  StoredRecord,
} from './types';

/** Closed segments whose handle and index stay loaded (least recently used are evicted). */
const MAX_LOADED_CLOSED = 8;
/** Largest position a segment may reach (index positions are u32). */
const MAX_SEGMENT_POSITION = 0xffff_ffff;
const MIN_READ_CHUNK = 64 * 1024;
const MAX_READ_CHUNK = 8 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

/** Thrown inside a scan when a record is corrupt; carries where. */
class Damage {
  constructor(
    readonly position: number,
    readonly offset: number,
    readonly reason: string,
  ) {}
}

/** Visits one verified record; returns false to stop. */
type Visitor = (buf: Buffer, pos: number, length: number, offset: number) => boolean;

/**
 * Opens (creating if missing) the partition log in `dir` and recovers it: orphan index files
 * and temp files are removed, every segment's index is checked against the log, the active
 * segment's torn tail is truncated. See docs/embedded-format.md.
 */
export async function openPartitionLog(dir: string, options: PartitionLogOptions): Promise<PartitionLog> {
  const parsed = PartitionLogOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ValidationError(`invalid partition log options: ${parsed.error.message}`, {
      details: { field: 'options' },
    });
  }
  const log = new SegmentedPartitionLog(dir, parsed.data);
  await log.open();
  return log;
}

/** The segmented, checksummed, crash-safe partition log. */
class SegmentedPartitionLog implements PartitionLog {
  private segs: Segment[] = [];
  private active!: Segment;
  /** Offset the next written record gets. */
  private writtenNext = 0;
  /** Records below this offset are visible to readers (under 'always': fsynced). */
  private visibleNext = 0;
  private lastTimestamp = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly groupCommit = new GroupCommit(() => this.syncRound());
  private timer: NodeJS.Timeout | null = null;
  private writeGeneration = 0;
  private syncedGeneration = 0;
  private periodic: Promise<void> | null = null;
  private rolling = false;
  private readonly listeners = new Set<() => void>();
  private readonly found: LogProblem[] = [];
  private state: 'open' | 'closing' | 'closed' = 'open';
  private failure: StorageError | null = null;
  private closing: Promise<void> | null = null;
  private readonly loadedClosed = new Set<Segment>();
  private useCounter = 0;

  constructor(
    private readonly dir: string,
    private readonly options: ResolvedPartitionLogOptions,
  ) {}

  get nextOffset(): bigint {
    return BigInt(this.visibleNext);
  }

  get firstOffset(): bigint {
    const first = this.segs[0];
    return first === undefined ? BigInt(this.visibleNext) : BigInt(Math.min(first.baseOffset, this.visibleNext));
  }

  /** Lists the directory, removes leftovers, recovers every segment. */
  async open(): Promise<void> {
    const { fs } = this.options;
    await fs.mkdir(this.dir);
    const kinds = new Map<number, Set<string>>();
    for (const name of await fs.readdir(this.dir)) {
      if (name.startsWith('.') && name.endsWith('.tmp')) {
        await fs.unlink(`${this.dir}/${name}`).catch(() => {});
        continue;
      }
      const parsed = parseSegmentFileName(name);
      if (parsed === null) continue;
      const set = kinds.get(parsed.baseOffset) ?? new Set<string>();
      set.add(parsed.kind);
      kinds.set(parsed.baseOffset, set);
    }
    const bases: number[] = [];
    for (const [base, set] of kinds) {
      if (set.has('log')) {
        bases.push(base);
      } else {
        // Index files whose log is gone (e.g. a delete interrupted by a crash).
        const orphan = new Segment(this.dir, base, 0);
        await fs.unlink(orphan.indexPath).catch(() => {});
        await fs.unlink(orphan.timeIndexPath).catch(() => {});
      }
    }
    bases.sort((a, b) => a - b);
    if (bases.length === 0) {
      this.active = await this.createSegment(0);
      this.segs = [this.active];
    } else {
      for (let i = 0; i < bases.length; i++) {
        const isActive = i === bases.length - 1;
        const segment = new Segment(this.dir, bases[i] as number, this.options.clock.nowMs());
        const handle = await fs.open(segment.logPath, isActive ? 'r+' : 'r');
        try {
          const report = await recoverSegment(fs, segment, handle, {
            active: isActive,
            intervalBytes: this.options.indexIntervalBytes,
            fsync: this.options.fsync,
          });
          for (const damage of report.damage) this.reportDamage(segment, damage);
        } catch (error) {
          await handle.close().catch(() => {});
          throw new StorageError(`cannot recover segment ${segment.logPath}`, { cause: error });
        }
        if (isActive) {
          segment.handle = handle;
          segment.indexHandle = await this.openOrCreate(segment.indexPath);
          segment.timeIndexHandle = await this.openOrCreate(segment.timeIndexPath);
          this.active = segment;
        } else {
          segment.closed = true;
          segment.index = null;
          await handle.close();
        }
        this.segs.push(segment);
        if (segment.maxTimestamp > this.lastTimestamp) this.lastTimestamp = segment.maxTimestamp;
      }
    }
    this.writtenNext = this.active.lastOffset + 1;
    this.visibleNext = this.writtenNext;
    if (this.options.fsync === 'interval') {
      this.timer = setInterval(() => void this.periodicSync(), this.options.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  async append(records: readonly AppendRecord[]): Promise<{ baseOffset: bigint; timestamp: bigint }> {
    this.assertAccepting();
    if (!Array.isArray(records) || records.length === 0) {
      throw new ValidationError('append needs at least one record', { details: { field: 'records' } });
    }
    const sizes: number[] = new Array(records.length);
    let total = 0;
    for (let i = 0; i < records.length; i++) {
      const size = encodedSize(records[i] as AppendRecord, i);
      sizes[i] = size;
      total += size;
    }
    const written = await this.enqueue(() => this.writeBatch(records, sizes, total));
    if (this.options.fsync === 'always') {
      try {
        await this.groupCommit.request();
      } catch (error) {
        throw this.fail('fsync failed', error);
      }
    }
    return { baseOffset: BigInt(written.baseOffset), timestamp: BigInt(written.timestamp) };
  }

  async read(fromOffset: bigint, maxCount: number, maxBytes?: number): Promise<StoredRecord[]> {
    this.assertReadable();
    if (!Number.isInteger(maxCount) || maxCount < 0) {
      throw new ValidationError('maxCount must be a non-negative integer', { details: { field: 'maxCount' } });
    }
    if (maxBytes !== undefined && !(maxBytes > 0)) {
      throw new ValidationError('maxBytes must be positive', { details: { field: 'maxBytes' } });
    }
    const out: StoredRecord[] = [];
    const limit = this.visibleNext;
    const first = Number(this.firstOffset);
    let from = fromOffset < BigInt(first) ? first : fromOffset >= BigInt(limit) ? limit : Number(fromOffset);
    if (maxCount === 0 || from >= limit) return out;
    const budget = maxBytes ?? Number.POSITIVE_INFINITY;
    let bytes = 0;
    let lastTs = -1;
    let lastTsBig = 0n;
    const visit: Visitor = (buf, pos, length, offset) => {
      if (out.length > 0 && bytes + length > budget) return false;
      bytes += length;
      const ts = readU64(buf, pos + FIELD_TIMESTAMP);
      if (ts !== lastTs) {
        lastTs = ts;
        lastTsBig = BigInt(ts);
      }
      const h = buf.readUInt32LE(pos + FIELD_HEADERS_LENGTH);
      const p = buf.readUInt32LE(pos + FIELD_PAYLOAD_LENGTH);
      const bodyAt = pos + RECORD_HEADER_BYTES;
      out.push({
        offset: BigInt(offset),
        timestamp: lastTsBig,
        originTimestamp: buf.readBigUInt64LE(pos + FIELD_ORIGIN),
        id: readId(buf, pos + 28),
        payload: buf.subarray(bodyAt + h, bodyAt + h + p),
        headers: h === 0 ? EMPTY : buf.subarray(bodyAt, bodyAt + h),
      });
      return out.length < maxCount && bytes < budget;
    };
    const segs = this.segs;
    let i = this.segmentIndexFor(segs, from);
    try {
      for (; i < segs.length && from < limit; i++) {
        const segment = segs[i] as Segment;
        if (segment.lastOffset < from && segment !== this.active && segment.damage === null) continue;
        const before = out.length;
        const wanted = maxCount - out.length;
        const done = await this.walkSegment(segment, from, limit, wanted, budget - bytes, visit);
        if (out.length > before) from = Number((out[out.length - 1] as StoredRecord).offset) + 1;
        if (done) break;
      }
    } catch (error) {
      if (error instanceof StorageError && error.code === ErrorCodes.CORRUPT_RECORD && out.length > 0) {
        // Hand out the valid records before the damage; the next read from there throws.
        return out;
      }
      throw error;
    }
    return out;
  }

  async offsetForTimestamp(timestampMicros: bigint): Promise<bigint | null> {
    this.assertReadable();
    const limit = this.visibleNext;
    const target = timestampMicros > BigInt(MAX_SAFE_U64) ? MAX_SAFE_U64 : Number(timestampMicros);
    for (const segment of this.segs) {
      if (segment.recordCount <= 0 || segment.maxTimestamp < target) continue;
      if (segment.baseOffset >= limit) return null;
      let found = -1;
      await this.walkSegment(segment, null, limit, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, (buf, pos, _len, offset) => {
        if (readU64(buf, pos + FIELD_TIMESTAMP) >= target) {
          found = offset;
          return false;
        }
        return true;
      }, target);
      if (found >= 0) return found < limit ? BigInt(found) : null;
    }
    return null;
  }

  segments(): readonly SegmentInfo[] {
    return this.segs.map((s) => ({
      baseOffset: BigInt(s.baseOffset),
      lastOffset: BigInt(s.lastOffset),
      sizeBytes: s.size,
      maxTimestamp: s.maxTimestamp < 0 ? null : BigInt(s.maxTimestamp),
      createdAtMs: s.createdAtMs,
      closed: s.closed,
    }));
  }

  deleteSegmentsBefore(offset: bigint): Promise<number> {
    this.assertAccepting();
    const bound = offset > BigInt(MAX_SAFE_U64) ? MAX_SAFE_U64 : Number(offset);
    return this.enqueue(async () => {
      const segs = this.segs;
      let count = 0;
      while (count < segs.length - 1) {
        const segment = segs[count] as Segment;
        if (!segment.closed || segment.lastOffset >= bound) break;
        count++;
      }
      if (count === 0) return 0;
      const doomed = segs.slice(0, count);
      this.segs = segs.slice(count);
      const { fs } = this.options;
      for (const segment of doomed) {
        segment.deleted = true;
        this.loadedClosed.delete(segment);
        await fs.unlink(segment.logPath).catch(() => {});
        await fs.unlink(segment.indexPath).catch(() => {});
        await fs.unlink(segment.timeIndexPath).catch(() => {});
        if (segment.refs === 0) await segment.closeHandles();
      }
      for (let i = this.found.length - 1; i >= 0; i--) {
        if (doomed.some((s) => s.logPath === this.found[i]?.details.file)) this.found.splice(i, 1);
      }
      return count;
    });
  }

  maybeRoll(): Promise<void> {
    this.assertAccepting();
    return this.enqueue(async () => {
      const segment = this.active;
      if (segment.size > 0 && this.options.clock.nowMs() - segment.createdAtMs >= this.options.segmentMaxAgeMs) {
        await this.roll();
      }
    });
  }

  sizeBytes(): number {
    let total = 0;
    for (const segment of this.segs) total += segment.size;
    return total;
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async flush(): Promise<void> {
    this.assertAccepting();
    await this.enqueue(async () => {
      if (this.failure) throw this.failure;
      await this.syncActive(true, this.writtenNext);
    });
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  problems(): readonly LogProblem[] {
    return [...this.found];
  }

  // ------------------------------------------------------------------ writing

  /** Runs `task` after every earlier queued task (appends, rolls, deletes are serialized). */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Writes one batch (inside the queue): roll if full, one write for the records, then the index. */
  private async writeBatch(
    records: readonly AppendRecord[],
    sizes: readonly number[],
    total: number,
  ): Promise<{ baseOffset: number; timestamp: number }> {
    if (this.state === 'closed') throw new ClosedError('partition log is closed');
    if (this.failure) throw this.failure;
    if (this.active.size > 0 && this.active.size + total > this.options.segmentBytes) await this.roll();
    const segment = this.active;
    if (segment.size + total > MAX_SEGMENT_POSITION) {
      throw new ValidationError(`batch of ${total} bytes is too large for one segment`, {
        details: { field: 'records', size: total },
      });
    }
    const base = this.writtenNext;
    if (base + records.length > MAX_SAFE_U64) {
      throw new StorageError('offset space exhausted', { details: { offset: base } });
    }
    const now = Number(this.options.clock.nowMicros());
    const timestamp = now > this.lastTimestamp ? now : this.lastTimestamp;
    const batch = encodeBatch(records, sizes, total, segment.baseOffset, base, timestamp, segment.size, {
      lastIndexedPosition: segment.lastIndexedPosition,
      intervalBytes: this.options.indexIntervalBytes,
    });
    try {
      await writeFully(segment.handle as FileHandleLike, batch.bytes, segment.size);
    } catch (error) {
      // Cut any partial write so the next append starts from a clean end.
      try {
        await (segment.handle as FileHandleLike).truncate(segment.size);
      } catch {
        throw this.fail('write failed and the segment could not be restored', error);
      }
      throw new StorageError(`write to ${segment.logPath} failed`, { cause: error, retriable: true });
    }
    if (batch.entryCount > 0) {
      try {
        await writeFully(segment.indexHandle as FileHandleLike, batch.indexEntries, segment.indexCount * 8);
        await writeFully(segment.timeIndexHandle as FileHandleLike, batch.timeEntries, segment.indexCount * 12);
      } catch (error) {
        // The records are in the log; the index is rebuilt from it at the next open.
        throw this.fail('index write failed', error);
      }
      (segment.index as SparseIndex).appendEncoded(batch.indexEntries, batch.timeEntries, batch.entryCount);
      segment.indexCount += batch.entryCount;
      segment.lastIndexedPosition = batch.lastIndexedPosition;
    }
    if (segment.size === 0) segment.createdAtMs = Math.floor(timestamp / 1000);
    segment.size += total;
    segment.lastOffset = base + records.length - 1;
    segment.maxTimestamp = timestamp;
    this.writtenNext = base + records.length;
    this.lastTimestamp = timestamp;
    this.writeGeneration++;
    if (this.options.fsync !== 'always') this.advanceVisible(this.writtenNext);
    return { baseOffset: base, timestamp };
  }

  /** Creates the files of a new, empty active segment. */
  private async createSegment(baseOffset: number): Promise<Segment> {
    const { fs } = this.options;
    const segment = new Segment(this.dir, baseOffset, this.options.clock.nowMs());
    segment.handle = await fs.open(segment.logPath, 'w+');
    segment.indexHandle = await fs.open(segment.indexPath, 'w+');
    segment.timeIndexHandle = await fs.open(segment.timeIndexPath, 'w+');
    segment.index = new SparseIndex();
    if (this.options.fsync !== 'never') await fs.syncDir(this.dir);
    return segment;
  }

  /** Opens an index file for writing, creating it when missing. */
  private async openOrCreate(path: string): Promise<FileHandleLike> {
    const { fs } = this.options;
    return (await fs.exists(path)) ? fs.open(path, 'r+') : fs.open(path, 'w+');
  }

  /** Closes the active segment (fsynced unless 'never') and starts a new one (inside the queue). */
  private async roll(): Promise<void> {
    this.rolling = true;
    try {
      await this.periodic?.catch(() => {});
      const old = this.active;
      if (this.options.fsync !== 'never') {
        try {
          await Promise.all([
            (old.handle as FileHandleLike).sync(),
            old.indexHandle?.sync(),
            old.timeIndexHandle?.sync(),
          ]);
        } catch (error) {
          throw this.fail('fsync at segment roll failed', error);
        }
      }
      await Promise.all([old.indexHandle?.close(), old.timeIndexHandle?.close()]);
      old.indexHandle = null;
      old.timeIndexHandle = null;
      old.closed = true;
      old.lastUsed = ++this.useCounter;
      const next = await this.createSegment(this.writtenNext);
      this.segs = [...this.segs, next];
      this.active = next;
      this.loadedClosed.add(old);
      await this.evictLoaded();
    } finally {
      this.rolling = false;
    }
  }

  // ------------------------------------------------------------------ durability

  /** One group-commit round: fsync the active log, then publish what it covered. */
  private async syncRound(): Promise<void> {
    await this.syncActive(false, this.writtenNext);
  }

  /** fsyncs the active segment (log, and with `full` its indexes); then `target` is visible. */
  private async syncActive(full: boolean, target: number): Promise<void> {
    const segment = this.active;
    segment.refs++;
    try {
      await (segment.handle as FileHandleLike).sync();
      if (full) await Promise.all([segment.indexHandle?.sync(), segment.timeIndexHandle?.sync()]);
    } finally {
      segment.refs--;
    }
    this.advanceVisible(target);
  }

  /** The 'interval' timer: fsyncs the active segment when something was written since. */
  private async periodicSync(): Promise<void> {
    if (this.rolling || this.periodic !== null || this.state !== 'open' || this.failure) return;
    const generation = this.writeGeneration;
    if (generation === this.syncedGeneration) return;
    this.periodic = this.syncActive(true, this.writtenNext);
    try {
      await this.periodic;
      this.syncedGeneration = generation;
    } catch (error) {
      this.fail('periodic fsync failed', error);
    } finally {
      this.periodic = null;
    }
  }

  /** Makes records below `target` visible and wakes `onAppend` listeners. */
  private advanceVisible(target: number): void {
    if (target <= this.visibleNext) return;
    this.visibleNext = target;
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A listener's failure is its own business.
      }
    }
  }

  /** Puts the log in the failed state: further appends are refused (the data may be unsynced). */
  private fail(message: string, cause: unknown): StorageError {
    this.failure ??= new StorageError(`partition log ${this.dir}: ${message}`, {
      cause,
      details: { dir: this.dir },
    });
    return this.failure;
  }

  // ------------------------------------------------------------------ reading

  /** Index of the segment holding `offset` (the last one whose base is ≤ it). */
  private segmentIndexFor(segs: readonly Segment[], offset: number): number {
    let lo = 0;
    let hi = segs.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((segs[mid] as Segment).baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Loads a closed segment's index from its files. */
  private async loadIndex(segment: Segment): Promise<SparseIndex> {
    const { fs } = this.options;
    const read = async (path: string) => ((await fs.exists(path)) ? fs.readFile(path) : EMPTY);
    return SparseIndex.fromFiles(await read(segment.indexPath), await read(segment.timeIndexPath), segment.size);
  }

  /** Closes handles of the least recently used closed segments beyond the cache size. */
  private async evictLoaded(): Promise<void> {
    if (this.loadedClosed.size <= MAX_LOADED_CLOSED) return;
    const byAge = [...this.loadedClosed].sort((a, b) => a.lastUsed - b.lastUsed);
    for (const segment of byAge) {
      if (this.loadedClosed.size <= MAX_LOADED_CLOSED) break;
      if (segment.refs > 0) continue;
      this.loadedClosed.delete(segment);
      segment.index = null;
      await segment.closeHandles();
    }
  }

  /**
   * Reads records of `segment` in order and hands each verified one with offset ≥ `from` (or,
   * when `from` is null, from the time-index position for `timestamp`) to `visit`, up to
   * `maxCount` records and about `maxBytes`, never past `limit`. Returns true when the visitor
   * stopped (or the limits were hit), false when the segment was exhausted.
   */
  private async walkSegment(
    segment: Segment,
    from: number | null,
    limit: number,
    maxCount: number,
    maxBytes: number,
    visit: Visitor,
    timestamp?: number,
  ): Promise<boolean> {
    segment.refs++;
    try {
      if (segment.closed) {
        await segment.ensureLoaded(this.options.fs, () => this.loadIndex(segment));
        segment.lastUsed = ++this.useCounter;
        this.loadedClosed.add(segment);
      }
      if (segment.deleted) return false;
      const handle = segment.handle as FileHandleLike;
      const index = segment.index as SparseIndex;
      const entry =
        from === null ? index.lastBeforeTimestamp(timestamp as number) : index.floorByOffset(from - segment.baseOffset);
      let pos = entry >= 0 ? index.position(entry) : 0;
      let expected = entry >= 0 ? segment.baseOffset + index.relOffset(entry) : segment.baseOffset;
      const wantFrom = from ?? expected;
      const end = segment.size;
      const average = segment.recordCount > 0 ? segment.size / segment.recordCount : 1024;
      const estimate = Math.min(maxBytes, average * Math.min(maxCount, 1e6)) + this.options.indexIntervalBytes + average;
      let chunk = Math.ceil(Math.min(MAX_READ_CHUNK, Math.max(MIN_READ_CHUNK, estimate)));
      let visited = 0;
      while (pos < end && expected < limit) {
        const length = Math.min(end - pos, chunk);
        const buf = Buffer.allocUnsafe(length);
        const got = await readFully(handle, buf, length, pos);
        // Structural pass: find whole records, check lengths and offsets.
        let p = 0;
        let spanStart = -1;
        let damage: Damage | null = null;
        let needed = 0;
        const positions: number[] = [];
        let stop = false;
        while (p < got) {
          if (expected >= limit) {
            stop = true;
            break;
          }
          if (got - p < RECORD_HEADER_BYTES) {
            if (pos + got >= end) damage = new Damage(pos + p, expected, 'truncated record');
            needed = RECORD_HEADER_BYTES;
            break;
          }
          const recordLength = buf.readUInt32LE(p);
          const h = buf.readUInt32LE(p + FIELD_HEADERS_LENGTH);
          const pl = buf.readUInt32LE(p + FIELD_PAYLOAD_LENGTH);
          if (recordLength < RECORD_OVERHEAD || recordLength > MAX_RECORD_BYTES || RECORD_OVERHEAD + h + pl !== recordLength) {
            damage = new Damage(pos + p, expected, 'malformed record length');
            break;
          }
          if (p + recordLength > got) {
            if (pos + p + recordLength > end) damage = new Damage(pos + p, expected, 'record runs past the end');
            needed = recordLength;
            break;
          }
          if (readU64(buf, p + 4) !== expected) {
            damage = new Damage(pos + p, expected, 'unexpected offset');
            break;
          }
          if (expected >= wantFrom) {
            if (visited + positions.length / 2 >= maxCount) {
              stop = true;
              break;
            }
            if (spanStart < 0) spanStart = p;
            positions.push(p, recordLength);
          }
          p += recordLength;
          expected++;
        }
        // Checksum pass: one crc32 over the whole run of wanted records.
        let valid = positions.length / 2;
        if (valid > 0 && crcOf(buf, spanStart, p - spanStart, CRC_SEED) !== CRC_SEED) {
          const firstOffset = expected - positions.length / 2;
          for (let k = 0; k < positions.length / 2; k++) {
            const at = positions[k * 2] as number;
            const check = checkRecord(buf, at, got, firstOffset + k);
            if (check.status !== 'ok') {
              valid = k;
              damage = new Damage(pos + at, firstOffset + k, 'checksum mismatch');
              break;
            }
          }
        }
        const firstVisitedOffset = expected - positions.length / 2;
        for (let k = 0; k < valid; k++) {
          visited++;
          if (!visit(buf, positions[k * 2] as number, positions[k * 2 + 1] as number, firstVisitedOffset + k)) {
            return true;
          }
        }
        if (damage !== null) throw this.reportDamage(segment, damage);
        if (stop || visited >= maxCount) return true;
        if (p === 0) {
          chunk = Math.max(chunk, needed);
          continue;
        }
        pos += p;
      }
      return visited >= maxCount;
    } finally {
      segment.refs--;
      if (segment.deleted && segment.refs === 0) await segment.closeHandles();
      else if (segment.closed) await this.evictLoaded();
    }
  }

  /** Records a corrupt record as a problem (once) and returns the `CORRUPT_RECORD` error. */
  private reportDamage(segment: Segment, damage: { position: number; offset: number; reason: string }): StorageError {
    const details = { file: segment.logPath, position: damage.position, offset: damage.offset };
    const message = `corrupt record in ${segment.logPath} at position ${damage.position} (offset ${damage.offset}): ${damage.reason}`;
    if (!this.found.some((p) => p.details.file === details.file && p.details.position === details.position)) {
      const problem: LogProblem = { code: 'CORRUPT_RECORD', message, details, at: new Date() };
      this.found.push(problem);
      try {
        this.options.onCorruption?.(problem);
      } catch {
        // The callback's failure must not hide the corruption.
      }
    }
    return new StorageError(message, { code: ErrorCodes.CORRUPT_RECORD, details });
  }

  // ------------------------------------------------------------------ lifecycle

  private assertAccepting(): void {
    if (this.state !== 'open') throw new ClosedError('partition log is closed');
  }

  private assertReadable(): void {
    if (this.state === 'closed') throw new ClosedError('partition log is closed');
  }

  /** Drains the queue, stops the timer, fsyncs (unless 'never') and closes every handle. */
  private async shutdown(): Promise<void> {
    this.state = 'closing';
    await this.queue;
    if (this.timer !== null) clearInterval(this.timer);
    await this.groupCommit.idle();
    await this.periodic?.catch(() => {});
    let error: unknown = null;
    if (this.failure === null && this.options.fsync !== 'never') {
      try {
        await this.syncActive(true, this.writtenNext);
      } catch (e) {
        error = e;
      }
    }
    this.state = 'closed';
    this.listeners.clear();
    await Promise.all(this.segs.map((s) => s.closeHandles()));
    if (error !== null) throw new StorageError(`partition log ${this.dir}: final fsync failed`, { cause: error });
  }
}
