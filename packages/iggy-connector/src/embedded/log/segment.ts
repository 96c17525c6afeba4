import { join } from 'node:path';
import type { ByteView } from './batch-format';
import type { SparseIndex } from './sparse-index';
import type { TailCache } from './tail-cache';
import type { FileHandleLike, FileLayer } from './types';

/** Digits of the base offset in segment file names. */
const NAME_DIGITS = 20;
const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)$/;

/** File name stem of the segment starting at `baseOffset`. */
export function segmentStem(baseOffset: number): string {
  return String(baseOffset).padStart(NAME_DIGITS, '0');
}

/** Parses a segment file name into its base offset and kind, or null. */
export function parseSegmentFileName(name: string): { baseOffset: number; kind: 'log' | 'index' | 'timeindex' } | null {
  const match = SEGMENT_FILE.exec(name);
  if (!match) return null;
  const baseOffset = Number(match[1]);
  if (!Number.isSafeInteger(baseOffset)) return null;
  return { baseOffset, kind: match[2] as 'log' | 'index' | 'timeindex' };
}

/** A piece of a segment's log file held in memory. */
export interface ReadChunk extends ByteView {
  /** File position of `bytes[0]`. */
  position: number;
  /** File positions of the batches in this chunk whose checksum was verified (bytes never change). */
  verified: Set<number>;
}

/** Corruption found in a segment (at open or while reading). */
export interface SegmentDamage {
  position: number;
  offset: number;
  reason: string;
}

/**
 * One segment: a log file plus its offset and time index files. State is kept in numbers
 * (offsets and µs timestamps stay below 2^53). Handles and the index of closed segments are
 * loaded on demand and may be evicted; `refs` counts readers using them.
 */
export class Segment {
  readonly logPath: string;
  readonly indexPath: string;
  readonly timeIndexPath: string;
  /** Bytes of whole records in the log file. */
  size = 0;
  /** Last offset, or baseOffset - 1 when empty. */
  lastOffset: number;
  /** Newest broker timestamp (µs), or -1 when empty. */
  maxTimestamp = -1;
  /** Time of the first record (ms), or the creation time while empty. */
  createdAtMs: number;
  closed = false;
  deleted = false;
  /** Position of the newest index entry, or -1 (drives the sparse-index interval). */
  lastIndexedPosition = -1;
  /** Index entries already written to the index files (the rest are in memory only). */
  indexFlushed = 0;
  index: SparseIndex | null = null;
  handle: FileHandleLike | null = null;
  indexHandle: FileHandleLike | null = null;
  timeIndexHandle: FileHandleLike | null = null;
  refs = 0;
  /** Known corruption (closed segments keep their bytes; reads stop there). */
  damage: SegmentDamage | null = null;
  /** The most recently read chunk of the log file (read-ahead; the log never changes in place). */
  readCache: ReadChunk | null = null;
  /** A background read of the chunk after `readCache` (sequential readers). */
  prefetch: Promise<ReadChunk> | null = null;
  /** The newest appended bytes (active segment only), for readers at the tail. */
  tail: TailCache | null = null;
  /**
   * A known batch start past the sparse index's last entry: the newest append, or where the
   * last read stopped. Readers following the tail start there instead of re-walking from the
   * index entry before them. `offset` is the batch's base offset; -1 when unknown.
   */
  cursorPosition = -1;
  cursorOffset = -1;
  /** Last time a reader used this segment (for evicting closed segments' handles). */
  lastUsed = 0;
  private opening: Promise<void> | null = null;

  constructor(
    readonly dir: string,
    readonly baseOffset: number,
    createdAtMs: number,
  ) {
    const stem = segmentStem(baseOffset);
    this.logPath = join(dir, `${stem}.log`);
    this.indexPath = join(dir, `${stem}.index`);
    this.timeIndexPath = join(dir, `${stem}.timeindex`);
    this.lastOffset = baseOffset - 1;
    this.createdAtMs = createdAtMs;
  }

  /** Number of records. */
  get recordCount(): number {
    return this.lastOffset - this.baseOffset + 1;
  }

  /**
   * Makes the log handle and index of this (closed) segment available, loading them if evicted.
   * Callers hold a ref while using them.
   */
  ensureLoaded(fs: FileLayer, loadIndex: () => Promise<SparseIndex>): Promise<void> {
    if (this.handle !== null && this.index !== null) return Promise.resolve();
    this.opening ??= (async () => {
      try {
        if (this.handle === null) this.handle = await fs.open(this.logPath, 'r');
        if (this.index === null) this.index = await loadIndex();
      } finally {
        this.opening = null;
      }
    })();
    return this.opening;
  }

  /** Closes every open handle of this segment (errors ignored: used on close and delete). */
  async closeHandles(): Promise<void> {
    const handles = [this.handle, this.indexHandle, this.timeIndexHandle];
    this.readCache = null;
    this.prefetch = null;
    this.tail = null;
    this.cursorPosition = -1;
    this.cursorOffset = -1;
    this.handle = null;
    this.indexHandle = null;
    this.timeIndexHandle = null;
    await Promise.all(handles.map((h) => h?.close().catch(() => {})));
  }
}
