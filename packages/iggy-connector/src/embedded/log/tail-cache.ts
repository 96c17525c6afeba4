import { type ByteView, byteViewOf } from './batch-format';
import type { ReadChunk } from './segment';

/**
 * Bytes of the newest appends a segment keeps in memory for readers at the tail. Kept small:
 * buffers of several hundred KiB, replaced as they fill on every partition, were measured to
 * stall appends by tens of ms now and then.
 */
export const TAIL_CACHE_BYTES = 64 * 1024;

/**
 * The newest bytes appended to a segment, kept in memory so that readers following the tail
 * (the usual consumer) get fresh batches without a file read. Appends are copied in after
 * they were written; bytes already handed out are never overwritten (a full buffer is replaced,
 * not reused), so chunks given to readers stay valid.
 */
export class TailCache {
  readonly #capacity: number;
  #buffer: Buffer | null = null;
  /** Views of the whole `#buffer`, made once per buffer (chunks differ only in their length). */
  #views: ByteView | null = null;
  /** File position of `#buffer[0]`. */
  #start = 0;
  #used = 0;
  /** Batch positions in the buffer (written here, so known to be intact). */
  #verified = new Set<number>();
  #chunk: ReadChunk | null = null;

  /** A cache of at most `capacity` bytes. */
  constructor(capacity = TAIL_CACHE_BYTES) {
    this.#capacity = capacity;
  }

  /**
   * Records `bytes` just written at file `position`, made of batches of `lengths` bytes. A gap
   * from the cached bytes, or no room left, starts a new buffer at `position`.
   */
  append(bytes: Uint8Array, position: number, lengths: readonly number[]): void {
    if (bytes.length > this.#capacity) {
      this.clear();
      return;
    }
    if (this.#buffer === null || position !== this.#start + this.#used || this.#used + bytes.length > this.#capacity) {
      this.#buffer = Buffer.allocUnsafeSlow(this.#capacity);
      this.#views = byteViewOf(this.#buffer);
      this.#start = position;
      this.#used = 0;
      this.#verified = new Set();
    }
    this.#buffer.set(bytes, this.#used);
    let at = position;
    for (const length of lengths) {
      this.#verified.add(at);
      at += length;
    }
    this.#used += bytes.length;
    this.#chunk = null;
  }

  /** The cached bytes as a read chunk, or null when nothing is cached. */
  chunk(): ReadChunk | null {
    if (this.#buffer === null || this.#used === 0) return null;
    const views = this.#views as ByteView;
    // `view` spans the whole buffer; readers stay within `bytes`, which ends at the cached data.
    this.#chunk ??= {
      bytes: this.#buffer.subarray(0, this.#used),
      view: views.view,
      words: views.words,
      position: this.#start,
      verified: this.#verified,
    };
    return this.#chunk;
  }

  /** Forgets everything (e.g. after a failed write was cut off the file). */
  clear(): void {
    this.#buffer = null;
    this.#views = null;
    this.#used = 0;
    this.#chunk = null;
    this.#verified = new Set();
  }
}
