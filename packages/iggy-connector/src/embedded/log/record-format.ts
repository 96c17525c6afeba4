import { crc32 } from 'node:zlib';
import { ValidationError } from '@rustok/core';
import { crc32Words } from './crc-words';
import type { AppendRecord } from './types';

/**
 * On-disk record (all integers little-endian), see docs/embedded-format.md:
 *
 * | off | size | field |
 * |---|---|---|
 * | 0 | 4 | length: whole record in bytes, this field and the trailer included |
 * | 4 | 8 | offset (u64) |
 * | 12 | 8 | timestamp: broker append time, µs (u64) |
 * | 20 | 8 | origin timestamp, µs (u64) |
 * | 28 | 16 | id (u128) |
 * | 44 | 4 | headers length h (u32) |
 * | 48 | 4 | payload length p (u32) |
 * | 52 | h | user headers (Iggy TLV) |
 * | 52+h | p | payload |
 * | 52+h+p | 4 | crc32 of bytes 0 .. 52+h+p, zlib CRC-32 continued from `CRC_SEED` |
 */
export const RECORD_HEADER_BYTES = 52;
/** Header plus the crc trailer. */
export const RECORD_OVERHEAD = 56;
export const FIELD_OFFSET = 4;
export const FIELD_TIMESTAMP = 12;
export const FIELD_ORIGIN = 20;
export const FIELD_ID = 28;
export const FIELD_HEADERS_LENGTH = 44;
export const FIELD_PAYLOAD_LENGTH = 48;
/** Records larger than this are treated as garbage when parsing (payload limit is 64 MB). */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/**
 * The CRC-32 "residue": crc32(M ‖ crc32(M) as 4 LE bytes) is always this value. Seeding every
 * record's crc with it makes a run of valid records checksum back to it, so a whole run is
 * verified with one crc32 call over its bytes.
 */
export const CRC_SEED = 0x2144df1c;

const TWO_32 = 4294967296;
const MASK_64 = 0xffff_ffff_ffff_ffffn;
const U64_LIMIT = 1n << 64n;
const U128_LIMIT = 1n << 128n;
/** Largest offset or timestamp the engine handles as a JS number. */
export const MAX_SAFE_U64 = Number.MAX_SAFE_INTEGER;

/** Writes a non-negative safe integer as u64 LE. */
export function writeU64(buf: Buffer, value: number, pos: number): void {
  buf.writeUInt32LE(value >>> 0, pos);
  buf.writeUInt32LE(Math.floor(value / TWO_32), pos + 4);
}

/** Reads a u64 LE as a number; returns -1 when it exceeds `Number.MAX_SAFE_INTEGER`. */
export function readU64(buf: Buffer, pos: number): number {
  const hi = buf.readUInt32LE(pos + 4);
  if (hi > 0x1fffff) return -1;
  return hi * TWO_32 + buf.readUInt32LE(pos);
}

/** Reads the u128 id at `pos` (a `DataView` over the same bytes as the record). */
export function readId(view: DataView, pos: number): bigint {
  const lo = view.getBigUint64(pos, true);
  if (view.getUint32(pos + 8, true) === 0 && view.getUint32(pos + 12, true) === 0) return lo;
  return lo | (view.getBigUint64(pos + 8, true) << 64n);
}

/** A `DataView` over exactly the bytes of `buf`. */
export function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** crc32 of `length` bytes of `buf` at `pos`, continued from `seed`. */
export function crcOf(buf: Buffer, pos: number, length: number, seed: number): number {
  return crc32(new Uint8Array(buf.buffer, buf.byteOffset + pos, length), seed);
}

/** Validates one record to append and returns its encoded size. */
export function encodedSize(record: AppendRecord, index: number): number {
  const { id, originTimestamp, payload, headers } = record;
  if (typeof id !== 'bigint' || id < 0n || id >= U128_LIMIT) {
    throw new ValidationError(`record ${index}: id must be a u128`, { details: { field: 'id', index } });
  }
  if (typeof originTimestamp !== 'bigint' || originTimestamp < 0n || originTimestamp >= U64_LIMIT) {
    throw new ValidationError(`record ${index}: originTimestamp must be a u64`, {
      details: { field: 'originTimestamp', index },
    });
  }
  if (!(payload instanceof Uint8Array) || !(headers instanceof Uint8Array)) {
    throw new ValidationError(`record ${index}: payload and headers must be bytes`, {
      details: { field: 'payload', index },
    });
  }
  const size = RECORD_OVERHEAD + headers.byteLength + payload.byteLength;
  if (size > MAX_RECORD_BYTES) {
    throw new ValidationError(`record ${index} is too large (${size} bytes)`, {
      details: { field: 'payload', index, size },
    });
  }
  return size;
}

/** Where index entries must go while encoding a batch (sparse index by byte interval). */
export interface IndexCursor {
  /** Position of the newest index entry in the segment, or -1 when the segment has none. */
  lastIndexedPosition: number;
  intervalBytes: number;
}

/** A batch encoded as one buffer, plus the index entries it adds. */
export interface EncodedBatch {
  bytes: Buffer;
  /** Offset-index entries: (relative offset u32, position u32). */
  indexEntries: Buffer;
  /** Time-index entries: (timestamp u64, relative offset u32). */
  timeEntries: Buffer;
  entryCount: number;
  lastIndexedPosition: number;
}

/**
 * Encodes `records` as consecutive records starting at `firstOffset`, all stamped `timestamp`,
 * to be written at `position` of a segment whose base offset is `baseOffset`. `sizes` are the
 * encoded sizes from `encodedSize`. The bytes go to the start of `out` when it is large enough
 * (a reused write buffer), else to a new buffer.
 */
export function encodeBatch(
  out: Buffer | null,
  records: readonly AppendRecord[],
  sizes: readonly number[],
  totalBytes: number,
  baseOffset: number,
  firstOffset: number,
  timestamp: number,
  position: number,
  cursor: IndexCursor,
): EncodedBatch {
  const bytes = out !== null && out.length >= totalBytes ? out.subarray(0, totalBytes) : Buffer.allocUnsafe(totalBytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const tsLo = timestamp >>> 0;
  const tsHi = Math.floor(timestamp / TWO_32);
  const entryPositions: number[] = [];
  let lastIndexed = cursor.lastIndexedPosition;
  let pos = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as AppendRecord;
    const length = sizes[i] as number;
    const offset = firstOffset + i;
    const filePos = position + pos;
    if (lastIndexed < 0 || filePos - lastIndexed >= cursor.intervalBytes) {
      entryPositions.push(i, filePos);
      lastIndexed = filePos;
    }
    const headers = record.headers;
    const payload = record.payload;
    const h = headers.byteLength;
    const p = payload.byteLength;
    view.setUint32(pos, length, true);
    view.setUint32(pos + FIELD_OFFSET, offset >>> 0, true);
    view.setUint32(pos + FIELD_OFFSET + 4, Math.floor(offset / TWO_32), true);
    view.setUint32(pos + FIELD_TIMESTAMP, tsLo, true);
    view.setUint32(pos + FIELD_TIMESTAMP + 4, tsHi, true);
    view.setBigUint64(pos + FIELD_ORIGIN, record.originTimestamp, true);
    const id = record.id;
    // setBigUint64 stores the value modulo 2^64: the low half of the id.
    view.setBigUint64(pos + FIELD_ID, id, true);
    if (id <= MASK_64) {
      view.setUint32(pos + FIELD_ID + 8, 0, true);
      view.setUint32(pos + FIELD_ID + 12, 0, true);
    } else {
      view.setBigUint64(pos + FIELD_ID + 8, id >> 64n, true);
    }
    view.setUint32(pos + FIELD_HEADERS_LENGTH, h, true);
    view.setUint32(pos + FIELD_PAYLOAD_LENGTH, p, true);
    if (h > 0) bytes.set(headers, pos + RECORD_HEADER_BYTES);
    if (p > 0) bytes.set(payload, pos + RECORD_HEADER_BYTES + h);
    // Same value as crcOf(bytes, pos, length - 4, CRC_SEED), without a view per record.
    let crc = crc32Words(view, pos, RECORD_HEADER_BYTES / 4, CRC_SEED);
    if (h > 0) crc = crc32(headers, crc);
    if (p > 0) crc = crc32(payload, crc);
    view.setUint32(pos + length - 4, crc, true);
    pos += length;
  }
  const entryCount = entryPositions.length / 2;
  const indexEntries = Buffer.allocUnsafe(entryCount * 8);
  const timeEntries = Buffer.allocUnsafe(entryCount * 12);
  for (let e = 0; e < entryCount; e++) {
    const rel = firstOffset + (entryPositions[e * 2] as number) - baseOffset;
    indexEntries.writeUInt32LE(rel, e * 8);
    indexEntries.writeUInt32LE(entryPositions[e * 2 + 1] as number, e * 8 + 4);
    timeEntries.writeUInt32LE(tsLo, e * 12);
    timeEntries.writeUInt32LE(tsHi, e * 12 + 4);
    timeEntries.writeUInt32LE(rel, e * 12 + 8);
  }
  return { bytes, indexEntries, timeEntries, entryCount, lastIndexedPosition: lastIndexed };
}

/** Result of checking the record at a position. */
export type RecordCheck =
  | { status: 'ok'; length: number; offset: number; timestamp: number }
  | { status: 'incomplete' }
  | { status: 'malformed'; reason: string }
  | { status: 'bad'; length: number; reason: string };

/**
 * Checks the record starting at `pos` in `buf` (valid bytes up to `end`): complete, well-formed,
 * checksum right and carrying `expectedOffset`. `bad` means complete and well-formed but with a
 * wrong checksum or offset; `malformed` means its length fields make no sense.
 */
export function checkRecord(buf: Buffer, pos: number, end: number, expectedOffset: number): RecordCheck {
  if (end - pos < 4) return { status: 'incomplete' };
  const length = buf.readUInt32LE(pos);
  if (length < RECORD_OVERHEAD || length > MAX_RECORD_BYTES) {
    return { status: 'malformed', reason: `impossible record length ${length}` };
  }
  if (end - pos < RECORD_HEADER_BYTES) return { status: 'incomplete' };
  const h = buf.readUInt32LE(pos + FIELD_HEADERS_LENGTH);
  const p = buf.readUInt32LE(pos + FIELD_PAYLOAD_LENGTH);
  if (RECORD_OVERHEAD + h + p !== length) {
    return { status: 'malformed', reason: 'length fields disagree' };
  }
  if (end - pos < length) return { status: 'incomplete' };
  if (crcOf(buf, pos, length - 4, CRC_SEED) !== buf.readUInt32LE(pos + length - 4)) {
    return { status: 'bad', length, reason: 'checksum mismatch' };
  }
  const offset = readU64(buf, pos + FIELD_OFFSET);
  if (offset !== expectedOffset) {
    return { status: 'bad', length, reason: `offset ${offset} where ${expectedOffset} was expected` };
  }
  const timestamp = readU64(buf, pos + FIELD_TIMESTAMP);
  if (timestamp < 0) return { status: 'bad', length, reason: 'timestamp out of range' };
  return { status: 'ok', length, offset, timestamp };
}
