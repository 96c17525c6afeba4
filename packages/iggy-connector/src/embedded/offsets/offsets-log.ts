import { StorageError } from '@rustok/core';
import type { FileHandleLike, FileLayer, FsyncPolicy } from '../log/types';
import {
  decodeOffsetRecords,
  encodeOffsetRecord,
  encodeOffsetsHeader,
  hasValidOffsetsHeader,
  type OffsetKey,
  type OffsetRecord,
  offsetKeyId,
} from './offset-record';

/** Options of an offsets log. */
export interface OffsetsLogOptions {
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  /** Compact once the file holds more than this many records and 4× the live entries. */
  compactMinRecords?: number;
}

interface PendingWrite {
  bytes: Buffer;
  record: OffsetRecord;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The stored offsets of one topic (standalone consumers and groups): an append-only file of
 * checksummed records, replayed into a map on open and compacted (atomic rewrite) when it holds
 * far more records than live entries. A store resolves once its record reached the OS (so a
 * process crash keeps it), and after fsync under the `always` policy; concurrent stores are
 * written together in one write (and one fsync).
 */
export class OffsetsLog {
  readonly #fs: FileLayer;
  readonly #path: string;
  readonly #options: Required<OffsetsLogOptions>;
  readonly #entries = new Map<string, { key: OffsetKey; offset: bigint }>();
  #handle: FileHandleLike;
  #size: number;
  #records: number;
  #compactAt = 0;
  #pending: PendingWrite[] = [];
  #writing: Promise<void> | null = null;
  #dirty = false;
  #failed: unknown = null;
  #closed = false;
  #timer: NodeJS.Timeout | null = null;

  private constructor(
    fs: FileLayer,
    path: string,
    options: Required<OffsetsLogOptions>,
    handle: FileHandleLike,
    size: number,
    records: number,
  ) {
    this.#fs = fs;
    this.#path = path;
    this.#options = options;
    this.#handle = handle;
    this.#size = size;
    this.#records = records;
  }

  /** Opens (or creates) the offsets file at `path`, dropping a torn tail and compacting if useful. */
  static async open(fs: FileLayer, path: string, options: OffsetsLogOptions): Promise<OffsetsLog> {
    const opts: Required<OffsetsLogOptions> = { compactMinRecords: 1024, ...options };
    let file: Buffer;
    if (await fs.exists(path)) {
      file = await fs.readFile(path);
      if (!hasValidOffsetsHeader(file)) {
        throw new StorageError(`offsets file has no valid header: ${path}`, {
          details: { file: path },
        });
      }
    } else {
      file = encodeOffsetsHeader();
      await fs.writeFileAtomic(path, file);
    }
    const { records, validBytes } = decodeOffsetRecords(file);
    const entries = new Map<string, { key: OffsetKey; offset: bigint }>();
    for (const record of records) applyRecord(entries, record);
    let size = validBytes;
    let recordCount = records.length;
    if (validBytes < file.length || shouldCompact(recordCount, entries.size, opts)) {
      const snapshot = snapshotOf(entries);
      await fs.writeFileAtomic(path, snapshot);
      size = snapshot.length;
      recordCount = entries.size;
    }
    const handle = await fs.open(path, 'r+');
    const log = new OffsetsLog(fs, path, opts, handle, size, recordCount);
    for (const [id, entry] of entries) log.#entries.set(id, entry);
    if (opts.fsync === 'interval') {
      log.#timer = setInterval(() => {
        log.flush().catch(() => undefined);
      }, opts.fsyncIntervalMs);
      log.#timer.unref();
    }
    return log;
  }

  /** The stored offset for `key`, if any. */
  get(key: OffsetKey): bigint | undefined {
    return this.#entries.get(offsetKeyId(key))?.offset;
  }

  /** Every stored entry (for inspection and tests). */
  entries(): { key: OffsetKey; offset: bigint }[] {
    return [...this.#entries.values()];
  }

  /** Durably stores `offset` for `key`. */
  store(key: OffsetKey, offset: bigint): Promise<void> {
    return this.#enqueue({ op: 'store', key, offset });
  }

  /** Durably removes the offset stored for `key`. */
  delete(key: OffsetKey): Promise<void> {
    return this.#enqueue({ op: 'delete', key });
  }

  /** Fsyncs written records that are not yet on stable storage. */
  async flush(): Promise<void> {
    await this.#writing;
    if (!this.#dirty || this.#closed) return;
    this.#dirty = false;
    await this.#handle.sync();
  }

  /** Waits for pending writes, fsyncs and closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    while (this.#writing) await this.#writing;
    if (this.#dirty && this.#failed === null) await this.#handle.sync();
    this.#dirty = false;
    this.#closed = true;
    await this.#handle.close();
  }

  #enqueue(record: OffsetRecord): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new StorageError('offsets log is closed', { details: { file: this.#path } }));
    }
    if (this.#failed !== null) return Promise.reject(this.#failedError());
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ bytes: encodeOffsetRecord(record), record, resolve, reject });
      this.#writing ??= this.#writeLoop();
    });
  }

  /**
   * Writes queued records batch by batch. `#writing` is cleared in the same synchronous step that
   * finds the queue empty, so a store queued right after can never be left unwritten.
   */
  async #writeLoop(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending;
        this.#pending = [];
        if (this.#failed !== null) {
          for (const w of batch) w.reject(this.#failedError());
          continue;
        }
        try {
          await this.#writeBatch(batch);
        } catch (error) {
          for (const w of batch) w.reject(error);
          continue;
        }
        for (const w of batch) {
          applyRecord(this.#entries, w.record);
          w.resolve();
        }
        if (
          this.#records >= this.#compactAt &&
          shouldCompact(this.#records, this.#entries.size, this.#options)
        ) {
          await this.#compact();
        }
      }
    } finally {
      this.#writing = null;
    }
  }

  async #writeBatch(batch: readonly PendingWrite[]): Promise<void> {
    const bytes = batch.length === 1 ? batch[0]!.bytes : Buffer.concat(batch.map((w) => w.bytes));
    const start = this.#size;
    try {
      let done = 0;
      while (done < bytes.length) {
        done += await this.#handle.write(bytes, done, bytes.length - done, start + done);
      }
      if (this.#options.fsync === 'always') await this.#handle.sync();
      else this.#dirty = true;
    } catch (cause) {
      // Cut a partially written batch off so later records never follow a torn one.
      await this.#handle.truncate(start).catch((truncateError: unknown) => {
        this.#failed = truncateError;
      });
      throw new StorageError(`cannot write offsets file ${this.#path}`, {
        cause,
        details: { file: this.#path },
      });
    }
    this.#size = start + bytes.length;
    this.#records += batch.length;
  }

  /**
   * Rewrites the file as one record per live entry. Whatever happens, the file at the path is
   * whole (the old one or the snapshot), so the handle is reopened on it and appends continue.
   */
  async #compact(): Promise<void> {
    const snapshot = snapshotOf(this.#entries);
    let replaced = false;
    try {
      await this.#fs.writeFileAtomic(this.#path, snapshot);
      replaced = true;
    } catch {
      // Try again only after the file has grown a lot more.
      this.#compactAt = this.#records * 2;
    }
    const old = this.#handle;
    try {
      this.#handle = await this.#fs.open(this.#path, 'r+');
      this.#size = await this.#handle.size();
    } catch (error) {
      this.#failed = error;
      return;
    }
    if (replaced) {
      this.#records = this.#entries.size;
      this.#dirty = false;
    }
    await old.close().catch(() => undefined);
  }

  #failedError(): StorageError {
    return new StorageError(`offsets file ${this.#path} is unusable after a failed write`, {
      cause: this.#failed,
      details: { file: this.#path },
    });
  }
}

function applyRecord(entries: Map<string, { key: OffsetKey; offset: bigint }>, record: OffsetRecord): void {
  const id = offsetKeyId(record.key);
  if (record.op === 'store') entries.set(id, { key: record.key, offset: record.offset });
  else entries.delete(id);
}

function shouldCompact(records: number, live: number, options: Required<OffsetsLogOptions>): boolean {
  return records > options.compactMinRecords && records > live * 4;
}

function snapshotOf(entries: Map<string, { key: OffsetKey; offset: bigint }>): Buffer {
  const parts = [encodeOffsetsHeader()];
  for (const { key, offset } of entries.values()) {
    parts.push(encodeOffsetRecord({ op: 'store', key, offset }));
  }
  return Buffer.concat(parts);
}
