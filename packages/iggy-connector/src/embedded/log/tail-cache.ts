import { type ByteView, byteViewOf } from './batch-format';
import type { ReadChunk } from './segment';

/**
 * Bytes of the newest appends a segment keeps in memory for readers at the tail. Kept small on
 * purpose: a buffer is replaced (never reused) once full, and one that lives long enough to be
 * promoted to V8's old generation holds its memory until the next full GC; larger buffers were
 * measured to cause more full GCs and their pauses (at 20k msgs/s: 16 KiB none in 4 s and a p99
 * of 1–1.5 ms; 64 KiB one or two and ~3 ms; 256 KiB a dozen and 13–17 ms). Readers lagging
 * further behind read from the file (the OS page cache).
 */
export const TAIL_CACHE_BYTES = 16 * 1024;

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
