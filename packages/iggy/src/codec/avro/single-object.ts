import { SerializationError } from '@rustok/core';

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
