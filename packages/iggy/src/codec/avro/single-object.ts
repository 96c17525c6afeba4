import { SerializationError } from '@rustok/core';
import type { Type } from 'avsc';

/** Marker bytes that start every Avro single-object encoded datum. */
export const SINGLE_OBJECT_MARKER = Object.freeze([0xc3, 0x01] as const);
const HEADER_LENGTH = 10;

/** Prefixes an Avro binary body with the single-object header (marker + LE fingerprint). */
export function frameSingleObject(fingerprint: Uint8Array, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_LENGTH + body.length);
  out[0] = SINGLE_OBJECT_MARKER[0];
  out[1] = SINGLE_OBJECT_MARKER[1];
  out.set(fingerprint, 2);
  out.set(body, HEADER_LENGTH);
  return out;
}

/** Splits a single-object datum into its writer-schema fingerprint and body; throws `DECODE_FAILED`. */
export function parseSingleObject(bytes: Uint8Array): { fingerprint: Uint8Array; body: Buffer } {
  if (
    bytes.length < HEADER_LENGTH ||
    bytes[0] !== SINGLE_OBJECT_MARKER[0] ||
    bytes[1] !== SINGLE_OBJECT_MARKER[1]
  ) {
    throw new SerializationError('not an Avro single-object datum (bad marker)', {
      code: 'DECODE_FAILED',
    });
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { fingerprint: buf.subarray(2, HEADER_LENGTH), body: buf.subarray(HEADER_LENGTH) };
}

/** Largest scratch buffer kept between encodes; a larger one (a rare huge datum) is dropped. */
const MAX_KEPT_SCRATCH = 1024 * 1024;

/** A growable buffer reused across encodes (one per purpose: its bytes live until the next write). */
export class ScratchBuffer {
  buffer: Buffer;
  readonly #initialBytes: number;

  /** A scratch buffer of `initialBytes` (grown on demand). */
  constructor(initialBytes = 16 * 1024) {
    this.#initialBytes = initialBytes;
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  /** Gives back memory after an unusually large datum (call once its bytes are no longer needed). */
  trim(): void {
    if (this.buffer.length > MAX_KEPT_SCRATCH) this.buffer = Buffer.allocUnsafe(this.#initialBytes);
  }

  /**
   * Writes `value` with `type` as a single-object datum (marker, fingerprint, body) at the start
   * of the buffer, growing it when needed; returns the datum's length. Throws what avsc throws
   * for a value that does not fit the type.
   */
  writeSingleObject(type: Type, fingerprint: Uint8Array, value: unknown): number {
    for (;;) {
      const out = this.buffer;
      out[0] = SINGLE_OBJECT_MARKER[0];
      out[1] = SINGLE_OBJECT_MARKER[1];
      out.set(fingerprint, 2);
      const end = type.encode(value, out, HEADER_LENGTH);
      if (end >= 0) return end;
      // avsc reports the missing byte count as a negative end.
      this.buffer = Buffer.allocUnsafe(Math.max(out.length * 2, out.length - end + HEADER_LENGTH));
    }
  }
}

/** True when the single-object datum at the start of `bytes` was written with `fingerprint`. */
export function hasFingerprint(bytes: Uint8Array, fingerprint: Uint8Array): boolean {
  for (let i = 0; i < 8; i++) if (bytes[2 + i] !== fingerprint[i]) return false;
  return true;
}
