import { ClosedError, ErrorCodes, StorageError, ValidationError } from '@rustok/core';
import { decodeMessages, type ReadSink } from './batch-decoder';
import { type AppendPlan, encodeAppend, planAppend } from './batch-encoder';
import {
  BATCH_HEADER_BYTES,
  type BatchInfo,
  type ByteView,
  byteViewOf,
  FIELD_LENGTH,
  nextBatchProblem,
  readBatchInfo,
  verifyBatch,
} from './batch-format';
import { readFully, writeFully } from './file-io';
import { GroupCommit } from './group-commit';
import { PartitionLogOptionsSchema, type ResolvedPartitionLogOptions } from './options';
import { parseSegmentFileName, type ReadChunk, Segment } from './segment';
import { recoverSegment } from './segment-recovery';
import { INDEX_ENTRY_BYTES, SparseIndex, TIME_ENTRY_BYTES } from './sparse-index';
import { TailCache } from './tail-cache';
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
/** Sequential reads fetch up to this much ahead in one system call. */
const READ_AHEAD = 1024 * 1024;
/** Largest offset or timestamp the engine handles (kept as JS numbers). */
const MAX_SAFE_U64 = Number.MAX_SAFE_INTEGER;
/** Largest write buffer kept for reuse; bigger batches get a buffer of their own. */
const MAX_WRITE_BUFFER = 8 * 1024 * 1024;
/** Unwritten index entries that trigger a bulk index write. */
const INDEX_FLUSH_ENTRIES = 128;
const EMPTY = Buffer.alloc(0);

/**
 * Visits one verified batch at `pos` of `chunk` (a batch holding offsets the walk wants);
 * returns false to stop the walk.
 */
type BatchVisitor = (chunk: ReadChunk, pos: number, info: BatchInfo) => boolean;

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
  /** `onAppend` listeners (an array: long polls come and go per append, a set would churn). */
  private listeners: (() => void)[] = [];
  private readonly found: LogProblem[] = [];
  private state: 'open' | 'closing' | 'closed' = 'open';
  private failure: StorageError | null = null;
  private closing: Promise<void> | null = null;
  private readonly loadedClosed = new Set<Segment>();
  private useCounter = 0;
  /** Reused for encoding appends (appends are serialized, and a write completes before reuse). */
  private writeBuffer: ByteView = byteViewOf(Buffer.alloc(0));

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
          if (error instanceof StorageError) throw error;
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
    for (let i = 0; i + 1 < this.segs.length; i++) {
      const segment = this.segs[i] as Segment;
      const next = this.segs[i + 1] as Segment;
      if (segment.damage === null && segment.lastOffset + 1 !== next.baseOffset) {
        // E.g. a closed segment that lost its tail in a power cut under fsync 'never'.
        this.reportDamage(segment, {
          position: segment.size,
          offset: segment.lastOffset + 1,
          reason: `offsets up to ${next.baseOffset - 1} are missing`,
        });
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
    const plan = planAppend(records, this.options.maxBatchBytes);
    const written = await this.enqueue(() => this.writeAppend(records, plan));
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
    const sink: ReadSink = { out: [], maxCount, maxBytes: maxBytes ?? Number.POSITIVE_INFINITY, bytes: 0 };
    const out = sink.out;
    const limit = this.visibleNext;
    const first = Number(this.firstOffset);
    let from = fromOffset < BigInt(first) ? first : fromOffset >= BigInt(limit) ? limit : Number(fromOffset);
    if (maxCount === 0 || from >= limit) return out;
    const visit: BatchVisitor = (chunk, pos, info) => {
      const start = from > info.baseOffset ? from - info.baseOffset : 0;
      const end = Math.min(info.count, limit - info.baseOffset);
      const before = out.length;
      const more = decodeMessages(chunk, pos, info, start, end, sink);
      from = info.baseOffset + start + (out.length - before);
      return more && from < limit;
    };
    const segs = this.segs;
    let i = this.segmentIndexFor(segs, from);
    try {
      for (; i < segs.length && from < limit; i++) {
        const segment = segs[i] as Segment;
        const hint = this.readHint(segment, maxCount - out.length, sink.maxBytes - sink.bytes);
        if (await this.walkSegment(segment, from, limit, hint, visit)) {
          this.maybePrefetch(segment, from, hint);
          break;
        }
        if (from >= limit) break;
        const next = segs[i + 1];
        if (next !== undefined && from < next.baseOffset) {
          // Offsets between this segment's end and the next segment's start are missing.
          throw this.reportDamage(segment, {
            position: segment.size,
            offset: Math.max(from, segment.lastOffset + 1),
            reason: `offsets up to ${next.baseOffset - 1} are missing`,
          });
        }
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
      await this.walkSegment(segment, null, limit, MIN_READ_CHUNK, (_chunk, _pos, info) => {
        if (info.timestamp < target) return true;
        found = info.baseOffset;
        return false;
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
      if (this.failure) throw this.failure;
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
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
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

  /** Writes one append (inside the queue): roll if full, one write for its batches, then the index. */
  private async writeAppend(
    records: readonly AppendRecord[],
    plan: AppendPlan,
  ): Promise<{ baseOffset: number; timestamp: number }> {
    if (this.state === 'closed') throw new ClosedError('partition log is closed');
    if (this.failure) throw this.failure;
    const total = plan.totalBytes;
    if (this.active.size > 0 && this.active.size + total > this.options.segmentBytes) await this.roll();
    const segment = this.active;
    if (segment.size + total > MAX_SEGMENT_POSITION) {
      throw new ValidationError(`append of ${total} bytes is too large for one segment`, {
        details: { field: 'records', size: total },
      });
    }
    const base = this.writtenNext;
    if (base + records.length > MAX_SAFE_U64) {
      throw new StorageError('offset space exhausted', { details: { offset: base } });
    }
    const now = Number(this.options.clock.nowMicros());
    const timestamp = Math.max(now, this.lastTimestamp);
    let out = this.writeBuffer;
    if (out.bytes.length < total) {
      // allocUnsafeSlow: a buffer of its own, 8-byte aligned, so u64 fields are written as words.
      out = byteViewOf(Buffer.allocUnsafeSlow(Math.max(total, Math.min(MAX_WRITE_BUFFER, out.bytes.length * 2))));
      if (total <= MAX_WRITE_BUFFER) this.writeBuffer = out;
    }
    const encoded = encodeAppend(out, plan, records, base, timestamp, segment.size, segment.baseOffset, {
      lastIndexedPosition: segment.lastIndexedPosition,
      intervalBytes: this.options.indexIntervalBytes,
    });
    try {
      await writeFully(segment.handle as FileHandleLike, encoded.bytes, segment.size, this.options.inlineWriteMaxBytes);
    } catch (error) {
      segment.tail?.clear();
      segment.cursorPosition = -1;
      // Cut any partial write so the next append starts from a clean end.
      try {
        await (segment.handle as FileHandleLike).truncate(segment.size);
      } catch {
        throw this.fail('write failed and the segment could not be restored', error);
      }
      throw new StorageError(`write to ${segment.logPath} failed`, { cause: error, retriable: true });
    }
    const index = segment.index as SparseIndex;
    if (encoded.entryCount > 0) {
      index.appendEncoded(encoded.indexEntries, encoded.timeEntries, encoded.entryCount);
      segment.lastIndexedPosition = encoded.lastIndexedPosition;
    }
    if (segment.size === 0) segment.createdAtMs = Math.floor(timestamp / 1000);
    segment.tail ??= new TailCache();
    segment.tail.append(encoded.bytes, segment.size, plan.lengths);
    segment.cursorPosition = segment.size;
    segment.cursorOffset = base;
    segment.size += total;
    segment.lastOffset = base + records.length - 1;
    segment.maxTimestamp = timestamp;
    this.writtenNext = base + records.length;
    this.lastTimestamp = timestamp;
    this.writeGeneration++;
    // Index entries are written lazily (they can be rebuilt from the log): in bulk, at fsync,
    // roll and close.
    if (index.count - segment.indexFlushed >= INDEX_FLUSH_ENTRIES) {
      try {
        await this.flushIndex(segment);
      } catch (error) {
        throw this.fail('index write failed', error);
      }
    }
    if (this.options.fsync !== 'always') this.advanceVisible(this.writtenNext);
    return { baseOffset: base, timestamp };
  }

  /** Writes the in-memory index entries not yet in the index files. */
  private async flushIndex(segment: Segment): Promise<void> {
    const index = segment.index;
    const from = segment.indexFlushed;
    if (index === null || segment.indexHandle === null || segment.timeIndexHandle === null) return;
    const to = index.count;
    if (to <= from) return;
    // Entries are append-only, so these views stay valid even if the index grows meanwhile.
    const offsets = index.offsetBytes().subarray(from * INDEX_ENTRY_BYTES, to * INDEX_ENTRY_BYTES);
    const times = index.timeBytes().subarray(from * TIME_ENTRY_BYTES, to * TIME_ENTRY_BYTES);
    await writeFully(segment.indexHandle, offsets, from * INDEX_ENTRY_BYTES, this.options.inlineWriteMaxBytes);
    await writeFully(segment.timeIndexHandle, times, from * TIME_ENTRY_BYTES, this.options.inlineWriteMaxBytes);
    if (to > segment.indexFlushed) segment.indexFlushed = to;
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
      try {
        await this.flushIndex(old);
      } catch (error) {
        throw this.fail('index write at segment roll failed', error);
      }
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
      old.tail = null;
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
      if (full) await this.flushIndex(segment);
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
    const target = this.writtenNext;
    const sync = async (): Promise<void> => {
      // Queued behind other logs' fsyncs: this log may have closed or started a roll meanwhile
      // (a roll and a close fsync what they finish themselves).
      if (this.rolling || this.state !== 'open') return;
      await this.syncActive(true, target);
    };
    const lane = this.options.syncLane;
    this.periodic = lane ? lane.run(sync) : sync();
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
    this.wakeReaders();
  }

  wakeReaders(): void {
    if (this.listeners.length === 0) return;
    // A snapshot: listeners usually unsubscribe while being called.
    for (const listener of this.listeners.slice()) {
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
   * Returns a chunk of the segment file holding at least `[pos, pos + must)`: the cached one or
   * the read-ahead one when they hold it, else a new read of about `want` bytes (never less than
   * `must`) that becomes the cached chunk.
   */
  private async chunkAt(
    segment: Segment,
    handle: FileHandleLike,
    pos: number,
    must: number,
    want: number,
    end: number,
  ): Promise<ReadChunk> {
    const holds = (c: ReadChunk | null) => c !== null && c.position <= pos && pos + must <= c.position + c.bytes.length;
    if (holds(segment.readCache)) return segment.readCache as ReadChunk;
    const tail = segment.tail?.chunk() ?? null;
    if (holds(tail)) return tail as ReadChunk;
    const prefetch = segment.prefetch;
    if (prefetch !== null) {
      segment.prefetch = null;
      const chunk = await prefetch.catch(() => null);
      if (holds(chunk)) {
        segment.readCache = chunk;
        return chunk as ReadChunk;
      }
    }
    const chunk = await this.readChunk(handle, pos, Math.max(must, this.chunkLength(segment, pos, want, end)));
    segment.readCache = chunk;
    return chunk;
  }

  /**
   * How much to read at `pos` for a chunk that should hold `want` bytes: ahead (bounded) so that
   * sequential readers need fewer system calls, and ending at a batch start known from the index
   * when that still gives `want` bytes, so that the next chunk does not read a partial batch again.
   */
  private chunkLength(segment: Segment, pos: number, want: number, end: number): number {
    let length = Math.min(end - pos, Math.max(want, Math.min(READ_AHEAD, want * 4)));
    const index = segment.index;
    if (index !== null && pos + length < end) {
      const floor = index.floorByPosition(pos + length);
      const boundary = floor >= 0 ? index.position(floor) : -1;
      if (boundary > pos && boundary >= pos + want) length = boundary - pos;
    }
    return length;
  }

  /** Reads `length` bytes at `pos` into a new chunk (a buffer of its own, 8-byte aligned). */
  private async readChunk(handle: FileHandleLike, pos: number, length: number): Promise<ReadChunk> {
    const bytes = Buffer.allocUnsafeSlow(length);
    const got = await readFully(handle, bytes, length, pos);
    const data = got === length ? bytes : bytes.subarray(0, got);
    return { ...byteViewOf(data), position: pos, verified: new Set<number>() };
  }

  /** Bytes a read of `maxCount` records / `maxBytes` from `segment` likely needs in one chunk. */
  private readHint(segment: Segment, maxCount: number, maxBytes: number): number {
    const average = segment.recordCount > 0 ? segment.size / segment.recordCount : 1024;
    const estimate = Math.min(maxBytes, average * Math.min(maxCount, 1e6)) + this.options.indexIntervalBytes + average;
    return Math.ceil(Math.min(MAX_READ_CHUNK, Math.max(MIN_READ_CHUNK, estimate)));
  }

  /**
   * After a read that stopped at `nextOffset`, starts reading the chunk the next sequential read
   * will need when the cached chunk does not cover it, so that read finds it ready (the I/O
   * overlaps whatever the caller does in between).
   */
  private maybePrefetch(segment: Segment, nextOffset: number, need: number): void {
    const index = segment.index;
    if (index === null || nextOffset > segment.lastOffset) return;
    const entry = index.floorByOffset(nextOffset - segment.baseOffset);
    this.prefetchAt(segment, entry >= 0 ? index.position(entry) : 0, need);
  }

  /**
   * Starts reading the chunk at batch position `start` in the background (about `want` bytes)
   * unless the cached chunk already holds that whole batch or a read-ahead is already running.
   */
  private prefetchAt(segment: Segment, start: number, want: number): void {
    const cached = segment.readCache;
    const handle = segment.handle;
    if (cached === null || handle === null || segment.prefetch !== null || segment.deleted) return;
    const available = segment.size - start;
    if (available <= 0) return;
    const at = start - cached.position;
    let must = BATCH_HEADER_BYTES;
    if (at >= 0 && at + BATCH_HEADER_BYTES <= cached.bytes.length) {
      // The batch's header is cached: prefetch only when its body is not.
      must = cached.view.getUint32(at + FIELD_LENGTH, true);
      if (at + must <= cached.bytes.length) return;
    }
    const length = Math.min(available, Math.max(must, this.chunkLength(segment, start, Math.min(want, available), segment.size)));
    const prefetch = this.readChunk(handle, start, length);
    prefetch.catch(() => {});
    segment.prefetch = prefetch;
  }

  /**
   * Walks the batches of `segment` in order, from the index entry before offset `from` (or, when
   * `from` is null, before `timestamp`), never past `limit`, and hands each batch that holds an
   * offset ≥ `from` to `visit` once its checksum is verified (batches before `from` are only
   * checked for structure, so damage there does not block reads of later batches). `need` sizes the chunks read. Returns true when the visitor stopped
   * the walk, false when the segment (or the visible part of it) was exhausted.
   */
  private async walkSegment(
    segment: Segment,
    from: number | null,
    limit: number,
    need: number,
    visit: BatchVisitor,
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
      if (from !== null && segment.cursorPosition > pos && segment.cursorOffset <= from) {
        pos = segment.cursorPosition;
        expected = segment.cursorOffset;
      }
      const end = segment.size;
      let chunk: ReadChunk | null = null;
      while (pos < end && expected < limit) {
        if (chunk === null || pos + BATCH_HEADER_BYTES > chunk.position + chunk.bytes.length) {
          chunk = await this.chunkAt(segment, handle, pos, Math.min(BATCH_HEADER_BYTES, end - pos), need, end);
        }
        let at = pos - chunk.position;
        // Structure first (the header's fields are cross-checked, so a damaged length or count
        // is caught at its own batch); checksums only for the batches handed out.
        const problem = nextBatchProblem(chunk.view, at, chunk.bytes.length - at, expected, end - pos);
        if (problem !== null) throw this.reportDamage(segment, { position: pos, offset: expected, reason: problem });
        const info = readBatchInfo(chunk.view, at);
        if (at + info.length > chunk.bytes.length) {
          chunk = await this.chunkAt(segment, handle, pos, info.length, Math.max(need, info.length), end);
          at = pos - chunk.position;
          if (chunk.bytes.length - at < info.length) {
            throw this.reportDamage(segment, { position: pos, offset: expected, reason: 'batch runs past the end of the file' });
          }
        }
        if (from === null || info.baseOffset + info.count > from) {
          // When the next batch is not (wholly) in this chunk, read it meanwhile (sequential readers).
          if (from !== null) this.prefetchAt(segment, pos + info.length, need);
          if (!chunk.verified.has(pos)) {
            const bad = verifyBatch(chunk, at, info.length);
            if (bad !== null) throw this.reportDamage(segment, { position: pos, offset: expected, reason: bad });
            chunk.verified.add(pos);
          }
          if (!visit(chunk, at, info)) {
            // The next read of a sequential reader starts in this batch or the one after it.
            if (from !== null) this.noteCursor(segment, pos, expected);
            return true;
          }
        }
        pos += info.length;
        expected += info.count;
      }
      return false;
    } catch (error) {
      if (error instanceof StorageError || error instanceof ClosedError) throw error;
      if (this.state === 'closed') throw new ClosedError('partition log is closed', { cause: error });
      throw new StorageError(`cannot read ${segment.logPath}`, { cause: error, retriable: true });
    } finally {
      segment.refs--;
      if (segment.deleted && segment.refs === 0) await segment.closeHandles();
      else if (segment.closed) await this.evictLoaded();
    }
  }

  /** Moves the segment's read cursor forward to the batch at `position` (base `offset`). */
  private noteCursor(segment: Segment, position: number, offset: number): void {
    if (offset > segment.cursorOffset) {
      segment.cursorPosition = position;
      segment.cursorOffset = offset;
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
    if (this.failure === null) {
      try {
        if (this.options.fsync === 'never') await this.flushIndex(this.active);
        else await this.syncActive(true, this.writtenNext);
      } catch (e) {
        error = e;
      }
    }
    this.state = 'closed';
    this.listeners = [];
    await Promise.all(this.segs.map((s) => s.closeHandles()));
    if (error !== null) throw new StorageError(`partition log ${this.dir}: final fsync failed`, { cause: error });
  }
}
