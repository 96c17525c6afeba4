import { HEADER_SIZE, HeaderOffset } from '../wire/constants';
import { protocolError } from '../wire/errors';

/** Bytes of the header prefix that holds the declared frame size. */
const SIZE_END = HeaderOffset.size + 4;

/**
 * Cuts a byte stream into frames (256-byte header + body; the total size is the u32 at byte
 * 48). A declared size below 256 or above `maxFrameBytes` is a `PROTOCOL` error raised as soon
 * as the size field has arrived, before any body is buffered; after an error the reader stays
 * failed. At most one frame plus one chunk is ever held.
 */
export class FrameReader {
  readonly #maxFrameBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #expected = 0;
  #failed: Error | undefined;

  /** Creates a reader that refuses frames larger than `maxFrameBytes`. */
  constructor(maxFrameBytes: number) {
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < HEADER_SIZE) {
      throw new RangeError(`maxFrameBytes must be an integer ≥ ${HEADER_SIZE}`);
    }
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Bytes held and not yet returned as a frame. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Adds received bytes; returns every frame now complete, in order. Throws `PROTOCOL`. */
  push(chunk: Buffer): Buffer[] {
    if (this.#failed) throw this.#failed;
    const frames: Buffer[] = [];
    let rest = chunk;
    while (rest.length > 0) {
      if (this.#expected === 0) {
        // Still reading the size field: take only what it needs, then check it.
        const need = SIZE_END - this.#buffered;
        const take = Math.min(need, rest.length);
        this.#append(rest.subarray(0, take));
        rest = rest.subarray(take);
        if (this.#buffered < SIZE_END) break;
        this.#expected = this.#checkSize(this.#joined().readUInt32LE(HeaderOffset.size));
      }
      const take = Math.min(this.#expected - this.#buffered, rest.length);
      this.#append(rest.subarray(0, take));
      rest = rest.subarray(take);
      if (this.#buffered === this.#expected) {
        frames.push(this.#joined());
        this.#chunks = [];
        this.#buffered = 0;
        this.#expected = 0;
      }
    }
    return frames;
  }

  #append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    // Socket chunks are fresh buffers, so views of them stay valid (no copy).
    this.#chunks.push(bytes);
    this.#buffered += bytes.length;
  }

  #joined(): Buffer {
    if (this.#chunks.length !== 1) this.#chunks = [Buffer.concat(this.#chunks, this.#buffered)];
    return this.#chunks[0] as Buffer;
  }

  #checkSize(size: number): number {
    if (size >= HEADER_SIZE && size <= this.#maxFrameBytes) return size;
    this.#failed = protocolError(
      size < HEADER_SIZE
        ? `frame declares ${size} bytes, less than its ${HEADER_SIZE}-byte header`
        : `frame declares ${size} bytes, more than the ${this.#maxFrameBytes}-byte maximum`,
      { declaredSize: size, maxFrameBytes: this.#maxFrameBytes },
    );
    this.#chunks = [];
    this.#buffered = 0;
    throw this.#failed;
  }
}
