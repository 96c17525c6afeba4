import { ValidationError } from '@rustok/core';
import {
  align8,
  BATCH_HEADER_BYTES,
  BATCH_MAGIC,
  type ByteView,
  ENTRY_BYTES,
  ENTRY_HEADERS_LENGTH,
  ENTRY_ID,
  ENTRY_ORIGIN,
  ENTRY_PAYLOAD_LENGTH,
  FIELD_BASE_OFFSET,
  FIELD_COUNT,
  FIELD_CRC,
  FIELD_DATA_LENGTH,
  FIELD_LENGTH,
  FIELD_MAGIC,
  FIELD_TIMESTAMP,
  MAX_BATCH_BYTES,
  writeU64,
} from './batch-format';
import { crc32 } from './checksum';
import { INDEX_ENTRY_BYTES, TIME_ENTRY_BYTES } from './sparse-index';
import type { AppendRecord } from './types';
import { payloadByteLength } from '../../payload';

const MASK_64 = 0xffff_ffff_ffff_ffffn;
const U64_LIMIT = 1n << 64n;
const U128_LIMIT = 1n << 128n;
/** Largest headers + payload of one message (it must fit in one batch). */
const MAX_MESSAGE_DATA = MAX_BATCH_BYTES - BATCH_HEADER_BYTES - ENTRY_BYTES - 8;

/** How one append is cut into batches. */
export interface AppendPlan {
  /** Messages per batch, in order. */
  counts: number[];
  /** Bytes per batch (multiples of 8). */
  lengths: number[];
  totalBytes: number;
}

/**
 * Validates the records of one append and cuts them into batches of at most `maxBatchBytes`
 * (a message larger than that gets a batch of its own). Throws `ValidationError` naming the
 * first bad record.
 */
export function planAppend(records: readonly AppendRecord[], maxBatchBytes: number): AppendPlan {
  const counts: number[] = [];
  const lengths: number[] = [];
  // align8(x) > maxBatchBytes exactly when x exceeds the largest multiple of 8 within the cap.
  const limit = maxBatchBytes - (maxBatchBytes % 8);
  let totalBytes = 0;
  let count = 0;
  let data = 0;
  for (let i = 0; i < records.length; i++) {
    const size = messageDataSize(records[i] as AppendRecord, i);
    if (count > 0 && BATCH_HEADER_BYTES + (count + 1) * ENTRY_BYTES + data + size > limit) {
      const length = align8(BATCH_HEADER_BYTES + count * ENTRY_BYTES + data);
      counts.push(count);
      lengths.push(length);
      totalBytes += length;
      count = 0;
      data = 0;
    }
    count++;
    data += size;
  }
  if (count > 0) {
    const length = align8(BATCH_HEADER_BYTES + count * ENTRY_BYTES + data);
    counts.push(count);
    lengths.push(length);
    totalBytes += length;
  }
  return { counts, lengths, totalBytes };
}

/** Bytes the record's payload takes in the log (a string payload: its UTF-8 length). */
function payloadLength(record: AppendRecord): number {
  return record.payloadBytes ?? payloadByteLength(record.payload);
}

/** Validates one record and returns its headers + payload size. */
function messageDataSize(record: AppendRecord, index: number): number {
  const { id, originTimestamp, payload, headers } = record;
  if (typeof id !== 'bigint' || id < 0n || id >= U128_LIMIT) {
    throw new ValidationError(`record ${index}: id must be a u128`, { details: { field: 'id', index } });
  }
  if (typeof originTimestamp !== 'bigint' || originTimestamp < 0n || originTimestamp >= U64_LIMIT) {
    throw new ValidationError(`record ${index}: originTimestamp must be a u64`, {
      details: { field: 'originTimestamp', index },
    });
  }
  if (!(payload instanceof Uint8Array || typeof payload === 'string') || !(headers instanceof Uint8Array)) {
    throw new ValidationError(`record ${index}: payload must be bytes or a string, headers bytes`, {
      details: { field: 'payload', index },
    });
  }
  const size = headers.length + payloadLength(record);
  if (size > MAX_MESSAGE_DATA) {
    throw new ValidationError(`record ${index} is too large (${size} bytes)`, {
      details: { field: 'payload', index, size },
    });
  }
  return size;
}

/** Where index entries go while encoding (sparse index by byte interval, one entry per batch at most). */
export interface IndexCursor {
  /** Position of the newest index entry in the segment, or -1 when the segment has none. */
  lastIndexedPosition: number;
  intervalBytes: number;
}

/** An append encoded as one buffer, plus the index entries it adds. */
export interface EncodedAppend {
  bytes: Buffer;
  /** Offset-index entries: (relative offset u32, position u32). */
  indexEntries: Buffer;
  /** Time-index entries: (timestamp u64, relative offset u32). */
  timeEntries: Buffer;
  entryCount: number;
  lastIndexedPosition: number;
}

/**
 * Encodes the records of `plan` as consecutive batches into the start of `out` (at least
 * `plan.totalBytes` long, 8-byte aligned for the fast path): offsets from `firstOffset`, all
 * stamped `timestamp`, to be written at `position` of the segment based at `segmentBase`.
 */
export function encodeAppend(
  out: ByteView,
  plan: AppendPlan,
  records: readonly AppendRecord[],
  firstOffset: number,
  timestamp: number,
  position: number,
  segmentBase: number,
  cursor: IndexCursor,
): EncodedAppend {
  const { bytes, view } = out;
  const words = out.words !== null && bytes.byteOffset % 8 === 0 ? out.words : null;
  const wordBase = bytes.byteOffset / 8;
  const indexed: number[] = [];
  let lastIndexed = cursor.lastIndexedPosition;
  let pos = 0;
  let r = 0;
  for (let b = 0; b < plan.counts.length; b++) {
    const count = plan.counts[b] as number;
    const length = plan.lengths[b] as number;
    const baseOffset = firstOffset + r;
    view.setUint32(pos + FIELD_LENGTH, length, true);
    view.setUint32(pos + FIELD_MAGIC, BATCH_MAGIC, true); // magic byte, then three reserved zeros
    view.setUint32(pos + FIELD_COUNT, count, true);
    writeU64(view, pos + FIELD_BASE_OFFSET, baseOffset);
    writeU64(view, pos + FIELD_TIMESTAMP, timestamp);
    view.setUint32(pos + FIELD_DATA_LENGTH + 4, 0, true);
    let e = pos + BATCH_HEADER_BYTES;
    const dataStart = e + count * ENTRY_BYTES;
    let d = dataStart;
    for (let i = 0; i < count; i++, e += ENTRY_BYTES) {
      const record = records[r + i] as AppendRecord;
      const id = record.id;
      if (words !== null) {
        // Typed-array stores take a bigint modulo 2^64: the low half of the id.
        const k = wordBase + e / 8;
        words[k] = id;
        words[k + 1] = id > MASK_64 ? id >> 64n : 0n;
        words[k + 2] = record.originTimestamp;
      } else {
        view.setBigUint64(e + ENTRY_ID, id, true);
        view.setBigUint64(e + ENTRY_ID + 8, id >> 64n, true);
        view.setBigUint64(e + ENTRY_ORIGIN, record.originTimestamp, true);
      }
      const headers = record.headers;
      const payload = record.payload;
      const h = headers.length;
      const p = payloadLength(record);
      view.setUint32(e + ENTRY_HEADERS_LENGTH, h, true);
      view.setUint32(e + ENTRY_PAYLOAD_LENGTH, p, true);
      if (h > 0) {
        bytes.set(headers, d);
        d += h;
      }
      if (p > 0) {
        if (typeof payload === 'string') bytes.write(payload, d, p, 'utf8');
        else bytes.set(payload, d);
        d += p;
      }
    }
    view.setUint32(pos + FIELD_DATA_LENGTH, d - dataStart, true);
    if (d < pos + length) bytes.fill(0, d, pos + length);
    view.setUint32(pos + FIELD_CRC, crc32(bytes.subarray(pos + FIELD_LENGTH, pos + length)), true);
    const filePos = position + pos;
    if (lastIndexed < 0 || filePos - lastIndexed >= cursor.intervalBytes) {
      indexed.push(baseOffset - segmentBase, filePos);
      lastIndexed = filePos;
    }
    pos += length;
    r += count;
  }
  const entryCount = indexed.length / 2;
  const indexEntries = Buffer.allocUnsafe(entryCount * INDEX_ENTRY_BYTES);
  const timeEntries = Buffer.allocUnsafe(entryCount * TIME_ENTRY_BYTES);
  const tsLo = timestamp >>> 0;
  const tsHi = Math.floor(timestamp / 4294967296);
  for (let k = 0; k < entryCount; k++) {
    const rel = indexed[k * 2] as number;
    indexEntries.writeUInt32LE(rel, k * INDEX_ENTRY_BYTES);
    indexEntries.writeUInt32LE(indexed[k * 2 + 1] as number, k * INDEX_ENTRY_BYTES + 4);
    timeEntries.writeUInt32LE(tsLo, k * TIME_ENTRY_BYTES);
    timeEntries.writeUInt32LE(tsHi, k * TIME_ENTRY_BYTES + 4);
    timeEntries.writeUInt32LE(rel, k * TIME_ENTRY_BYTES + 8);
  }
  return { bytes: bytes.subarray(0, plan.totalBytes), indexEntries, timeEntries, entryCount, lastIndexedPosition: lastIndexed };
}
