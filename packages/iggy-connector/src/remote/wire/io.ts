import { protocolError } from './errors';

const MASK_64 = (1n << 64n) - 1n;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A bounds-checked little-endian cursor over a received body. Every read past the end, and
 * every invalid value, throws a `PROTOCOL` error naming `what` is being decoded.
 */
export class Reader {
  readonly #buf: Buffer;
  #pos = 0;
  readonly #what: string;

  /** Reads `buf` from its start; `what` names the structure in error messages. */
  constructor(buf: Uint8Array, what: string) {
    this.#buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#what = what;
  }

  /** Current position. */
  get position(): number {
    return this.#pos;
  }

  /** Bytes left. */
  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  /** Throws the `PROTOCOL` error for this structure. */
  fail(message: string): never {
    throw protocolError(`${this.#what}: ${message}`, { structure: this.#what, position: this.#pos });
  }

  #need(n: number, field: string): number {
    if (n > this.#buf.length - this.#pos) {
      this.fail(`truncated ${field} (need ${n} bytes, ${this.remaining} left)`);
    }
    const at = this.#pos;
    this.#pos += n;
    return at;
  }

  /** Reads a u8. */
  u8(field = 'u8'): number {
    return this.#buf.readUInt8(this.#need(1, field));
  }

  /** Reads a u16. */
  u16(field = 'u16'): number {
    return this.#buf.readUInt16LE(this.#need(2, field));
  }

  /** Reads a u32. */
  u32(field = 'u32'): number {
    return this.#buf.readUInt32LE(this.#need(4, field));
  }

  /** Reads a u64 as a bigint. */
  u64(field = 'u64'): bigint {
    return this.#buf.readBigUInt64LE(this.#need(8, field));
  }

  /** Reads a u128 (low 8 bytes first) as a bigint. */
  u128(field = 'u128'): bigint {
    const at = this.#need(16, field);
    return this.#buf.readBigUInt64LE(at) | (this.#buf.readBigUInt64LE(at + 8) << 64n);
  }

  /** Reads an f32. */
  f32(field = 'f32'): number {
    return this.#buf.readFloatLE(this.#need(4, field));
  }

  /** Returns the next `n` bytes (a view, not a copy). */
  bytes(n: number, field = 'bytes'): Buffer {
    const at = this.#need(n, field);
    return this.#buf.subarray(at, at + n);
  }

  /** Returns every byte left (a view). */
  rest(): Buffer {
    return this.bytes(this.remaining, 'rest');
  }

  /** Skips `n` bytes. */
  skip(n: number, field = 'reserved'): void {
    this.#need(n, field);
  }

  /** Decodes `n` bytes as strict UTF-8. */
  utf8(n: number, field = 'string'): string {
    const bytes = this.bytes(n, field);
    try {
      return strictUtf8.decode(bytes);
    } catch {
      return this.fail(`${field} is not valid UTF-8`);
    }
  }

  /** Throws unless every byte was consumed. */
  end(): void {
    if (this.remaining !== 0) this.fail(`${this.remaining} unexpected trailing bytes`);
  }
}

/** A growable little-endian byte writer for request and response bodies. */
export class Writer {
  #buf: Buffer;
  #pos = 0;

  /** Starts with room for `capacity` bytes (it grows as needed). */
  constructor(capacity = 256) {
    this.#buf = Buffer.alloc(capacity);
  }

  #room(n: number): number {
    if (this.#pos + n > this.#buf.length) {
      const next = Buffer.alloc(Math.max(this.#buf.length * 2, this.#pos + n));
      this.#buf.copy(next, 0, 0, this.#pos);
      this.#buf = next;
    }
    const at = this.#pos;
    this.#pos += n;
    return at;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#pos;
  }

  /** Writes a u8. */
  u8(value: number): this {
    const at = this.#room(1);
    this.#buf.writeUInt8(value, at);
    return this;
  }

  /** Writes a u16. */
  u16(value: number): this {
    const at = this.#room(2);
    this.#buf.writeUInt16LE(value, at);
    return this;
  }

  /** Writes a u32. */
  u32(value: number): this {
    const at = this.#room(4);
    this.#buf.writeUInt32LE(value, at);
    return this;
  }

  /** Writes a u64. */
  u64(value: bigint): this {
    const at = this.#room(8);
    this.#buf.writeBigUInt64LE(value, at);
    return this;
  }

  /** Writes a u128, low 8 bytes first. */
  u128(value: bigint): this {
    const at = this.#room(16);
    this.#buf.writeBigUInt64LE(value & MASK_64, at);
    this.#buf.writeBigUInt64LE((value >> 64n) & MASK_64, at + 8);
    return this;
  }

  /** Writes an f32. */
  f32(value: number): this {
    const at = this.#room(4);
    this.#buf.writeFloatLE(value, at);
    return this;
  }

  /** Writes raw bytes. */
  bytes(value: Uint8Array): this {
    const at = this.#room(value.byteLength);
    this.#buf.set(value, at);
    return this;
  }

  /** Writes `n` zero bytes. */
  zeros(n: number): this {
    const at = this.#room(n);
    this.#buf.fill(0, at, this.#pos);
    return this;
  }

  /** Overwrites a u32 at an earlier position (for length prefixes). */
  patchU32(position: number, value: number): this {
    this.#buf.writeUInt32LE(value, position);
    return this;
  }

  /** The written bytes (a copy-free view of the exact length). */
  finish(): Buffer {
    return this.#buf.subarray(0, this.#pos);
  }
}
