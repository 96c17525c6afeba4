import { endianness } from 'node:os';
import { crc32 } from './checksum';

/**
 * On-disk record batch, format version 2 (all integers little-endian); see
 * docs/embedded-format.md §2. One append writes one or more batches; one CRC-32 covers a whole
 * batch.
 *
 * | off | size | field |
 * |---|---|---|
 * | 0 | 4 | crc: CRC-32 of bytes 4 .. length |
 * | 4 | 4 | length: whole batch in bytes (header, entries, data, padding), a multiple of 8 |
 * | 8 | 1 | magic: 2 (format version) |
 * | 9 | 3 | reserved, 0 |
 * | 12 | 4 | count n ≥ 1 |
 * | 16 | 8 | base offset (u64): offset of message 0; message i has base + i |
 * | 24 | 8 | timestamp: broker append time, µs (u64), shared by all messages |
 * | 32 | 4 | data length: Σ (hᵢ + pᵢ) |
 * | 36 | 4 | reserved, 0 |
 * | 40 | 32·n | entries: id low u64, id high u64, origin timestamp u64, h u32, p u32 |
 * | 40 + 32·n | data | headers₀ payload₀ headers₁ payload₁ … |
 * | … | 0..7 | zero padding up to `length` |
 */
export const BATCH_HEADER_BYTES = 40;
/** Bytes of one message entry. */
export const ENTRY_BYTES = 32;
/** Format version stored in every batch. */
export const BATCH_MAGIC = 2;
export const FIELD_CRC = 0;
export const FIELD_LENGTH = 4;
export const FIELD_MAGIC = 8;
export const FIELD_COUNT = 12;
export const FIELD_BASE_OFFSET = 16;
export const FIELD_TIMESTAMP = 24;
export const FIELD_DATA_LENGTH = 32;
/** Entry fields, relative to the entry. */
export const ENTRY_ID = 0;
export const ENTRY_ORIGIN = 16;
export const ENTRY_HEADERS_LENGTH = 24;
export const ENTRY_PAYLOAD_LENGTH = 28;
/** Smallest possible batch: header and one empty message. */
export const MIN_BATCH_BYTES = BATCH_HEADER_BYTES + ENTRY_BYTES;
/** Batches larger than this are treated as garbage when parsing (payload limit is 64 MB). */
export const MAX_BATCH_BYTES = 256 * 1024 * 1024;
/**
 * Default size above which one append is split into several batches: room for a 1 MiB send
 * (the transport's default batch bound) with its framing, so such a send stays one batch.
 */
export const DEFAULT_MAX_BATCH_BYTES = 2 * 1024 * 1024;

const TWO_32 = 4294967296;
/** Whether this host stores typed-array integers little-endian (then aligned u64 fields are read as words). */
export const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** Rounds up to a multiple of 8 (batches start 8-byte aligned in a segment). */
export function align8(n: number): number {
  return n + ((8 - (n % 8)) % 8);
}

/**
 * A byte buffer with the views the codec reads and writes through. `words` views the whole
 * underlying ArrayBuffer as u64 words (little-endian hosts only); a u64 field at byte `pos` of
 * `bytes` is word `(bytes.byteOffset + pos) / 8` when that is an integer.
 */
export interface ByteView {
  bytes: Buffer;
  view: DataView;
  words: BigUint64Array | null;
}

/** Wraps `bytes` with its DataView and (little-endian hosts) its u64 word view. */
export function byteViewOf(bytes: Buffer): ByteView {
  const ab = bytes.buffer;
  const words = LITTLE_ENDIAN_HOST && ab.byteLength >= 8 ? new BigUint64Array(ab, 0, Math.floor(ab.byteLength / 8)) : null;
  return { bytes, view: new DataView(ab, bytes.byteOffset, bytes.byteLength), words };
}

/** Reads a u64 LE as a number; returns -1 when it exceeds `Number.MAX_SAFE_INTEGER`. */
export function readU64(view: DataView, pos: number): number {
  const hi = view.getUint32(pos + 4, true);
  if (hi > 0x1fffff) return -1;
  return hi * TWO_32 + view.getUint32(pos, true);
}

/** Writes a non-negative safe integer as u64 LE. */
export function writeU64(view: DataView, pos: number, value: number): void {
  view.setUint32(pos, value >>> 0, true);
  view.setUint32(pos + 4, Math.floor(value / TWO_32), true);
}

/** The header fields of a batch that passed `headerProblem`. */
export interface BatchInfo {
  length: number;
  count: number;
  baseOffset: number;
  timestamp: number;
  dataLength: number;
}

/** Reads the header of a well-formed batch at `pos` (check `headerProblem` first). */
export function readBatchInfo(view: DataView, pos: number): BatchInfo {
  return {
    length: view.getUint32(pos + FIELD_LENGTH, true),
    count: view.getUint32(pos + FIELD_COUNT, true),
    baseOffset: readU64(view, pos + FIELD_BASE_OFFSET),
    timestamp: readU64(view, pos + FIELD_TIMESTAMP),
    dataLength: view.getUint32(pos + FIELD_DATA_LENGTH, true),
  };
}

/**
 * Why the batch header at `pos` (at least `BATCH_HEADER_BYTES` readable) is malformed, or null
 * when its fields are consistent. Does not look at the checksum.
 */
export function headerProblem(view: DataView, pos: number): string | null {
  if (view.getUint8(pos + FIELD_MAGIC) !== BATCH_MAGIC) return `unknown batch magic ${view.getUint8(pos + FIELD_MAGIC)}`;
  if (view.getUint8(pos + 9) !== 0 || view.getUint16(pos + 10, true) !== 0 || view.getUint32(pos + 36, true) !== 0) {
    return 'reserved header bytes are not zero';
  }
  const length = view.getUint32(pos + FIELD_LENGTH, true);
  if (length < MIN_BATCH_BYTES || length > MAX_BATCH_BYTES || length % 8 !== 0) {
    return `impossible batch length ${length}`;
  }
  const count = view.getUint32(pos + FIELD_COUNT, true);
  const dataLength = view.getUint32(pos + FIELD_DATA_LENGTH, true);
  if (count < 1 || align8(BATCH_HEADER_BYTES + count * ENTRY_BYTES + dataLength) !== length) {
    return 'batch length, count and data length disagree';
  }
  if (readU64(view, pos + FIELD_BASE_OFFSET) < 0 || readU64(view, pos + FIELD_TIMESTAMP) < 0) {
    return 'base offset or timestamp out of range';
  }
  return null;
}

/**
 * Why the bytes at `pos` (`available` of them readable) are not the well-formed header of a batch
 * starting at `expectedOffset` and fitting in the `remaining` bytes of its segment, or null.
 */
export function nextBatchProblem(
  view: DataView,
  pos: number,
  available: number,
  expectedOffset: number,
  remaining: number,
): string | null {
  if (available < BATCH_HEADER_BYTES) return 'truncated batch header';
  const problem = headerProblem(view, pos);
  if (problem !== null) return problem;
  const baseOffset = readU64(view, pos + FIELD_BASE_OFFSET);
  if (baseOffset !== expectedOffset) return `batch starts at offset ${baseOffset}, expected ${expectedOffset}`;
  if (view.getUint32(pos + FIELD_LENGTH, true) > remaining) return 'batch runs past the end of the segment';
  return null;
}

/**
 * Verifies a well-formed, complete batch of `length` bytes at `pos`: its checksum, and that the
 * entries' lengths add up to the data length. Returns why it is bad, or null.
 */
export function verifyBatch(bv: ByteView, pos: number, length: number): string | null {
  const { bytes, view } = bv;
  const stored = view.getUint32(pos + FIELD_CRC, true);
  if (crc32(bytes.subarray(pos + FIELD_LENGTH, pos + length)) !== stored) return 'checksum mismatch';
  const count = view.getUint32(pos + FIELD_COUNT, true);
  let sum = 0;
  for (let i = 0, e = pos + BATCH_HEADER_BYTES; i < count; i++, e += ENTRY_BYTES) {
    sum += view.getUint32(e + ENTRY_HEADERS_LENGTH, true) + view.getUint32(e + ENTRY_PAYLOAD_LENGTH, true);
  }
  if (sum !== view.getUint32(pos + FIELD_DATA_LENGTH, true)) return 'message lengths disagree with the data length';
  return null;
}

/** Result of checking the batch at a position. */
export type BatchCheck =
  | { status: 'ok'; info: BatchInfo }
  | { status: 'incomplete' }
  | { status: 'malformed'; reason: string }
  | { status: 'bad'; length: number; reason: string };

/**
 * Checks the batch starting at `pos` in `bv` (valid bytes up to `end`): complete, well-formed,
 * checksum right and starting at `expectedOffset` (-1: any offset). `bad` means complete and
 * well-formed but with a wrong checksum or offset; `malformed` means its header makes no sense.
 */
export function checkBatch(bv: ByteView, pos: number, end: number, expectedOffset: number): BatchCheck {
  if (end - pos < BATCH_HEADER_BYTES) return { status: 'incomplete' };
  const problem = headerProblem(bv.view, pos);
  if (problem !== null) return { status: 'malformed', reason: problem };
  const info = readBatchInfo(bv.view, pos);
  if (end - pos < info.length) return { status: 'incomplete' };
  const bad = verifyBatch(bv, pos, info.length);
  if (bad !== null) return { status: 'bad', length: info.length, reason: bad };
  if (expectedOffset >= 0 && info.baseOffset !== expectedOffset) {
    return { status: 'bad', length: info.length, reason: `batch starts at offset ${info.baseOffset}, expected ${expectedOffset}` };
  }
  return { status: 'ok', info };
}
