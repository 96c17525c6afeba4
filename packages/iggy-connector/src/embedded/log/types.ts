/**
 * Internal contract between the embedded storage layer (segments, indexes, recovery, fsync)
 * and the embedded connector (streams, topics, offsets, groups). Not exported from the package.
 */
import type { SerialQueue } from '../serial-queue';

/** Durability policy: when appended bytes are fsynced. */
export type FsyncPolicy = 'always' | 'interval' | 'never';

/** Injectable clock (ms since epoch), so tests can drive retention and segment age. */
export interface Clock {
  nowMs(): number;
  /** Microseconds since epoch as bigint (broker timestamps). Must never go backwards per log. */
  nowMicros(): bigint;
}

/** One record to append. `headers` are already TLV-encoded (see headers codec). */
export interface AppendRecord {
  id: bigint;
  originTimestamp: bigint;
  /** Bytes, or text stored as its UTF-8 bytes. */
  payload: Uint8Array | string;
  /** UTF-8 length of a string `payload`, when the caller already measured it. */
  payloadBytes?: number;
  headers: Uint8Array;
}

/** One record read back. Buffers may be views into a larger read buffer. */
export interface StoredRecord {
  readonly offset: bigint;
  /** Broker append time, µs. All records of one append share it. */
  readonly timestamp: bigint;
  readonly originTimestamp: bigint;
  readonly id: bigint;
  readonly payload: Buffer;
  readonly headers: Buffer;
}

/** Summary of one segment, oldest first. */
export interface SegmentInfo {
  baseOffset: bigint;
  /** Last offset in the segment, or baseOffset - 1n when empty. */
  lastOffset: bigint;
  sizeBytes: number;
  /** Broker timestamp of the newest record (µs), or null when empty. */
  maxTimestamp: bigint | null;
  /** Creation time of the segment (ms), used for age-based rolling. */
  createdAtMs: number;
  closed: boolean;
}

/** Options to open a partition log. */
export interface PartitionLogOptions {
  fsync: FsyncPolicy;
  /** Interval for `'interval'` (ms). */
  fsyncIntervalMs: number;
  segmentBytes: number;
  segmentMaxAgeMs: number;
  clock: Clock;
  /** The file layer; tests inject a recording one for power-loss simulation. */
  fs: FileLayer;
  /** Sparse index granularity: one index entry per this many log bytes (default 4096). */
  indexIntervalBytes?: number;
  /**
   * Largest record batch (default 1 MiB): an append whose records need more bytes is written as
   * several batches (still in one write). A single record larger than this gets a batch of its own.
   */
  maxBatchBytes?: number;
  /** Called once per corrupt batch found (at open or on read); see `PartitionLog.problems()`. */
  onCorruption?: (problem: LogProblem) => void;
  /** Shared by the logs of one engine: their 'interval' fsyncs run one at a time. */
  syncLane?: SerialQueue;
  /**
   * Writes of at most this many bytes use the file layer's `writeSync` on the calling thread
   * (default 8 KiB); larger ones, or all with 0, go through the thread pool.
   */
  inlineWriteMaxBytes?: number;
}

/** A problem found in a partition log (today: a corrupt record batch). */
export interface LogProblem {
  code: 'CORRUPT_RECORD';
  message: string;
  /**
   * `file` (log file path), `position` (byte offset of the damaged batch in it), `offset` (first
   * offset of that batch, or the first missing offset).
   */
  details: { file: string; position: number; offset: number };
  at: Date;
}

/** A partition's append-only log of segments. One writer (this process) at a time. */
export interface PartitionLog {
  /** Offset the next appended record gets. */
  readonly nextOffset: bigint;
  /** Oldest retained offset (== nextOffset when empty). */
  readonly firstOffset: bigint;
  /** Appends atomically in order; resolves once written to the OS (and fsynced under 'always'). */
  append(records: readonly AppendRecord[]): Promise<{ baseOffset: bigint; timestamp: bigint }>;
  /**
   * Reads up to `maxCount` records starting at `fromOffset` (clamped to firstOffset). Past the
   * end returns []. A bad checksum in a closed segment throws `CORRUPT_RECORD`
   * with details `{ file, position, offset }` of the damaged batch. `maxBytes` counts
   * 32 + headers + payload bytes per record; at least one record is returned.
   */
  read(fromOffset: bigint, maxCount: number, maxBytes?: number): Promise<StoredRecord[]>;
  /** First offset whose broker timestamp is ≥ `timestampMicros`, or null when none. */
  offsetForTimestamp(timestampMicros: bigint): Promise<bigint | null>;
  /** Segments, oldest first. */
  segments(): readonly SegmentInfo[];
  /**
   * Deletes the oldest closed segments that hold only offsets < `offset` (so every segment whose
   * successor starts at or below `offset`); never the active one. Returns how many were deleted.
   */
  deleteSegmentsBefore(offset: bigint): Promise<number>;
  /** Rolls the active segment if it is older than segmentMaxAgeMs (called by a timer). */
  maybeRoll(): Promise<void>;
  /** Total bytes on disk for this partition's segments. */
  sizeBytes(): number;
  /** Registers a listener called after each append; returns an unsubscribe function. */
  onAppend(listener: () => void): () => void;
  /** Calls the `onAppend` listeners without an append (e.g. the topic is closing: stop waiting). */
  wakeReaders(): void;
  /** Forces pending writes to stable storage. */
  flush(): Promise<void>;
  /** Flushes and closes file handles. */
  close(): Promise<void>;
  /** Corruption found so far (at open or while reading), oldest first. */
  problems(): readonly LogProblem[];
}

/** A file handle subset the log needs; implemented over node:fs/promises by default. */
export interface FileHandleLike {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  /**
   * The same write done on the calling thread, when the layer can (a small write lands in the OS
   * page cache in microseconds, far less than a thread-pool round trip). Optional.
   */
  writeSync?(buffer: Buffer, offset: number, length: number, position: number): number;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

/** Filesystem operations the engine uses; injectable for crash and power-loss tests. */
export interface FileLayer {
  open(path: string, mode: 'r' | 'r+' | 'w+' | 'a+'): Promise<FileHandleLike>;
  readFile(path: string): Promise<Buffer>;
  /** Writes a whole file atomically: temp file, fsync, rename, fsync directory. */
  writeFileAtomic(path: string, data: Buffer): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  rm(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  syncDir(path: string): Promise<void>;
}
