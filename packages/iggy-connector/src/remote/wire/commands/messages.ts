import { randomFillSync } from 'node:crypto';
import { ValidationError } from '@rustok/core';
import { frameWorkspace, stampFrames, stampWorkspace, xxh3_64 } from '../checksum';
import {
  type Codec,
  consumer,
  type Identifier,
  identifier,
  optionalPartition,
  type Partitioning,
  partitioning,
  strategy,
  type WireConsumer,
  type WireStrategy,
  bool,
  checkU32,
} from '../codec';
import { CommandCode, HEADER_SIZE } from '../constants';
import { type Reader, Writer } from '../io';
import { custom, defineCommand } from './command';

/** Bytes of the batch header. */
export const BATCH_HEADER_SIZE = 256;
/** Bytes of one message frame header. */
export const FRAME_HEADER_SIZE = 48;
/** Bytes of the batch-checksum prefix (the six header meta fields). */
const BATCH_META_SIZE = 44;
const U32_MAX = 0xffff_ffff;

/** One message frame as it travels (payload and already-encoded user headers). */
export interface WireFrame {
  id: bigint;
  /** Index within the batch (0, 1, 2, … when sent; may start higher in a sliced poll view). */
  offsetDelta: number;
  /** µs after the batch's origin timestamp. */
  timestampDelta: number;
  payload: Uint8Array;
  /** Encoded user-header TLV bytes (may be empty). */
  headers: Uint8Array;
  /** Stored checksum (filled in by decoding; computed when encoding). */
  checksum?: bigint;
}

/** A batch record: the 256-byte header fields and its frames (spec §8.9). */
export interface WireBatch {
  /** Server-stamped; 0 from a producer. */
  partitionId: bigint;
  /** Server-stamped; 0 from a producer. */
  baseOffset: bigint;
  /** Broker append time (µs), server-stamped; 0 from a producer. */
  baseTimestamp: bigint;
  /** Minimum origin timestamp of the messages (µs). */
  originTimestamp: bigint;
  frames: WireFrame[];
  /** Stored batch checksum (filled in by decoding; computed when encoding). */
  checksum?: bigint;
}

/** Frame checksum: XXH3-64 over frame bytes 8..end. */
function frameChecksum(frame: Buffer): bigint {
  return xxh3_64(frame.subarray(8));
}

/** Encoded size of one batch record. */
export function batchByteLength(batch: WireBatch): number {
  let size = BATCH_HEADER_SIZE;
  for (const f of batch.frames) size += FRAME_HEADER_SIZE + f.payload.byteLength + f.headers.byteLength;
  return size;
}

/**
 * Writes a batch record: frames with their XXH3-64 checksums, then the header with
 * `batch_length` and the batch checksum over the meta fields and the frame checksums.
 */
export function writeBatch(w: Writer, batch: WireBatch): void {
  if (batch.frames.length < 1) {
    throw new ValidationError('a batch needs at least one message', { details: { field: 'messages' } });
  }
  const length = batchByteLength(batch);
  const out = Buffer.alloc(length);
  const checksums = Buffer.alloc(BATCH_META_SIZE + 8 * batch.frames.length);
  let pos = BATCH_HEADER_SIZE;
  batch.frames.forEach((f, i) => {
    const start = pos;
    out.writeBigUInt64LE(f.id & ((1n << 64n) - 1n), start + 8);
    out.writeBigUInt64LE(f.id >> 64n, start + 16);
    out.writeUInt32LE(checkU32(f.offsetDelta, 'offset delta'), start + 24);
    if (!Number.isInteger(f.timestampDelta) || f.timestampDelta < 0 || f.timestampDelta > U32_MAX) {
      throw new ValidationError('message timestamps must lie within ~71 minutes of each other', {
        details: { field: 'timestamp' },
      });
    }
    out.writeUInt32LE(f.timestampDelta, start + 28);
    out.writeUInt32LE(f.headers.byteLength, start + 32);
    out.writeUInt32LE(f.payload.byteLength, start + 36);
    pos = start + FRAME_HEADER_SIZE;
    out.set(f.payload, pos);
    pos += f.payload.byteLength;
    out.set(f.headers, pos);
    pos += f.headers.byteLength;
    const sum = frameChecksum(out.subarray(start, pos));
    out.writeBigUInt64LE(sum, start);
    checksums.writeBigUInt64LE(sum, BATCH_META_SIZE + 8 * i);
  });
  out.writeBigUInt64LE(batch.partitionId, 0);
  out.writeBigUInt64LE(batch.baseOffset, 8);
  out.writeBigUInt64LE(batch.baseTimestamp, 16);
  out.writeBigUInt64LE(batch.originTimestamp, 24);
  out.writeBigUInt64LE(BigInt(length), 32);
  out.writeUInt32LE(batch.frames.length, 48);
  out.copy(checksums, 0, 0, 40);
  checksums.writeUInt32LE(batch.frames.length, 40);
  out.writeBigUInt64LE(xxh3_64(checksums), 40);
  w.bytes(out);
}

/** Computes the batch checksum of a decoded batch (header meta fields + frame checksums). */
export function batchChecksum(batch: WireBatch, length = BigInt(batchByteLength(batch))): bigint {
  const buf = Buffer.alloc(BATCH_META_SIZE + 8 * batch.frames.length);
  buf.writeBigUInt64LE(batch.partitionId, 0);
  buf.writeBigUInt64LE(batch.baseOffset, 8);
  buf.writeBigUInt64LE(batch.baseTimestamp, 16);
  buf.writeBigUInt64LE(batch.originTimestamp, 24);
  buf.writeBigUInt64LE(length, 32);
  buf.writeUInt32LE(batch.frames.length, 40);
  batch.frames.forEach((f, i) => {
    buf.writeBigUInt64LE(f.checksum ?? 0n, BATCH_META_SIZE + 8 * i);
  });
  return xxh3_64(buf);
}

/** Options of batch decoding. */
export interface ReadBatchOptions {
  /** Verify every frame checksum and the batch checksum (producer batches); default false. */
  verify?: boolean;
}

/** Reads one batch record; its frames must tile `batch_length` exactly. */
export function readBatch(r: Reader, options: ReadBatchOptions = {}): WireBatch {
  const header = r.bytes(BATCH_HEADER_SIZE, 'batch header');
  const length = header.readBigUInt64LE(32);
  const count = header.readUInt32LE(48);
  if (length < BigInt(BATCH_HEADER_SIZE) || length - BigInt(BATCH_HEADER_SIZE) > BigInt(r.remaining)) {
    r.fail(`batch length ${length} does not fit the ${r.remaining + BATCH_HEADER_SIZE} bytes left`);
  }
  if (options.verify && header.subarray(52).some((b) => b !== 0)) r.fail('batch reserved bytes are not zero');
  const blob = r.bytes(Number(length) - BATCH_HEADER_SIZE, 'batch frames');
  const frames: WireFrame[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    if (blob.length - pos < FRAME_HEADER_SIZE) r.fail(`frame ${i} of ${count} is truncated`);
    const headersLength = blob.readUInt32LE(pos + 32);
    const payloadLength = blob.readUInt32LE(pos + 36);
    const end = pos + FRAME_HEADER_SIZE + payloadLength + headersLength;
    if (end > blob.length) r.fail(`frame ${i} of ${count} overruns its batch`);
    const frame = blob.subarray(pos, end);
    const checksum = frame.readBigUInt64LE(0);
    if (options.verify) {
      if (frame.readBigUInt64LE(40) !== 0n) r.fail(`frame ${i} reserved bytes are not zero`);
      if (frameChecksum(frame) !== checksum) r.fail(`frame ${i} checksum mismatch`);
    }
    const payloadStart = FRAME_HEADER_SIZE;
    frames.push({
      checksum,
      id: frame.readBigUInt64LE(8) | (frame.readBigUInt64LE(16) << 64n),
      offsetDelta: frame.readUInt32LE(24),
      timestampDelta: frame.readUInt32LE(28),
      payload: frame.subarray(payloadStart, payloadStart + payloadLength),
      headers: frame.subarray(payloadStart + payloadLength, end),
    });
    pos = end;
  }
  if (pos !== blob.length) r.fail(`batch frames leave ${blob.length - pos} bytes untiled`);
  const batch: WireBatch = {
    partitionId: header.readBigUInt64LE(0),
    baseOffset: header.readBigUInt64LE(8),
    baseTimestamp: header.readBigUInt64LE(16),
    originTimestamp: header.readBigUInt64LE(24),
    frames,
    checksum: header.readBigUInt64LE(40),
  };
  if (options.verify && batchChecksum(batch, length) !== batch.checksum) r.fail('batch checksum mismatch');
  return batch;
}

/** A SendMessages request (spec §8.9). */
export interface SendMessagesRequest {
  stream: Identifier;
  topic: Identifier;
  partitioning: Partitioning;
  batch: WireBatch;
}

const sendRequest: Codec<SendMessagesRequest> = custom(
  (w, v) => {
    const meta = new Writer(64);
    identifier.write(meta, v.stream);
    identifier.write(meta, v.topic);
    partitioning.write(meta, v.partitioning);
    meta.u32(v.batch.frames.length);
    const metaBytes = meta.finish();
    w.u32(metaBytes.length).bytes(metaBytes);
    writeBatch(w, v.batch);
  },
  (r) => {
    const metaLength = r.u32('metadata length');
    const start = r.position;
    const stream = identifier.read(r);
    const topic = identifier.read(r);
    const parts = partitioning.read(r);
    const count = r.u32('messages count');
    if (r.position - start !== metaLength) r.fail(`metadata length ${metaLength} does not match its fields`);
    const batchBytes = r.remaining;
    const batch = readBatch(r, { verify: true });
    if (batch.frames.length !== count || count < 1) {
      r.fail(`messages count ${count} does not match the batch's ${batch.frames.length}`);
    }
    if (batchByteLength(batch) !== batchBytes) r.fail('batch length does not match the bytes after metadata');
    return { stream, topic, partitioning: parts, batch };
  },
);

/** One message for `encodeSendMessagesFrame`. */
export interface SendItem {
  /** The message id; 0n mints a random non-zero one. */
  id: bigint;
  payload: Uint8Array;
  /** Encoded user-header TLV bytes (may be empty). */
  headers: Uint8Array;
}

const MASK_64 = (1n << 64n) - 1n;
/** Random words for minted ids (four per message), refilled once per batch and reused across batches. */
let idPool = new Uint32Array(0);
/** The 44 batch meta bytes the batch checksum starts with (reused; filled per batch). */
const batchMeta = Buffer.alloc(BATCH_META_SIZE);

function mintedIds(count: number): Uint32Array {
  if (idPool.length < count * 4) idPool = new Uint32Array(Math.max(count * 4, 4096));
  return randomFillSync(idPool, 0, count * 4);
}

/**
 * The whole SendMessages request frame (spec §8.9) for one partition, built in one buffer: the
 * first 256 bytes are left for the request header (`writeRequestHeader`), then the metadata
 * and the batch. The message frames are written straight into the checksum hasher's memory
 * (`frameWorkspace`), checksummed there in one call (XXH3-64) and copied into the frame in one
 * block; batches over its window are written into the frame and checksummed in runs
 * (`stampFrames`). Ids of 0 come from one random fill per batch.
 * Byte-identical to `encodeRequestFrame(header, encodeRequest(sendMessages, …))`.
 * When `scratch` is large enough the frame is a view of its start (no allocation, no page
 * faults); the caller must not reuse `scratch` until the frame has been sent and answered.
 */
export function encodeSendMessagesFrame(
  stream: Identifier,
  topic: Identifier,
  partition: number,
  originTimestamp: bigint,
  items: readonly SendItem[],
  scratch?: Buffer,
): Buffer {
  const count = items.length;
  if (count < 1) throw new ValidationError('a batch needs at least one message', { details: { field: 'messages' } });
  const meta = new Writer(64);
  identifier.write(meta, stream);
  identifier.write(meta, topic);
  partitioning.write(meta, { kind: 'partition', id: partition });
  meta.u32(count);
  const metaBytes = meta.finish();
  let batchLength = BATCH_HEADER_SIZE;
  for (const item of items) batchLength += FRAME_HEADER_SIZE + item.payload.byteLength + item.headers.byteLength;
  const batchStart = HEADER_SIZE + 4 + metaBytes.length;
  const total = batchStart + batchLength;
  // Every byte is written below (the request header by `writeRequestHeader`, frame checksums
  // by `stampFrames`), so the buffer need not be zero-filled: reserved fields are zeroed here.
  const out = scratch && scratch.length >= total ? scratch.subarray(0, total) : Buffer.allocUnsafe(total);
  out.fill(0, batchStart, batchStart + BATCH_HEADER_SIZE);
  out.writeUInt32LE(metaBytes.length, HEADER_SIZE);
  out.set(metaBytes, HEADER_SIZE + 4);
  out.writeBigUInt64LE(originTimestamp, batchStart + 24);
  out.writeBigUInt64LE(BigInt(batchLength), batchStart + 32);
  out.writeUInt32LE(count, batchStart + 48);
  out.copy(batchMeta, 0, batchStart, batchStart + 40);
  batchMeta.writeUInt32LE(count, 40);

  // The frames are built in the checksum hasher's memory when they fit (one copy fewer).
  const framesStart = batchStart + BATCH_HEADER_SIZE;
  const framesSize = batchLength - BATCH_HEADER_SIZE;
  const random = mintedIds(count);
  const space = frameWorkspace(framesSize, count);
  let batchChecksum: bigint;
  if (space) {
    writeFrames(items, random, space.bytes, space.view, space.at);
    batchChecksum = stampWorkspace(framesSize, count, batchMeta, out, framesStart);
  } else {
    const end = writeFrames(items, random, out, new DataView(out.buffer, out.byteOffset, out.byteLength), framesStart);
    batchChecksum = stampFrames(out, framesStart, end, count, batchMeta);
  }
  out.writeBigUInt64LE(batchChecksum, batchStart + 40);
  return out;
}

/**
 * Writes the frames of `items` (checksums left for `stampFrames`) into `bytes` from `pos`, ids of
 * 0 taken from `random` (four words per message); returns the end position.
 */
function writeFrames(items: readonly SendItem[], random: Uint32Array, bytes: Uint8Array, view: DataView, start: number): number {
  let pos = start;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const payload = item.payload;
    const headers = item.headers;
    if (item.id === 0n) {
      const r = i * 4;
      const a = random[r]!;
      const b = random[r + 1]!;
      const c = random[r + 2]!;
      const d = random[r + 3]!;
      // A minted id is never 0 (0 asks the server to mint one).
      view.setUint32(pos + 8, (a | b | c | d) === 0 ? 1 : a, true);
      view.setUint32(pos + 12, b, true);
      view.setUint32(pos + 16, c, true);
      view.setUint32(pos + 20, d, true);
    } else {
      view.setBigUint64(pos + 8, item.id & MASK_64, true);
      view.setBigUint64(pos + 16, item.id >> 64n, true);
    }
    view.setUint32(pos + 24, i, true);
    view.setUint32(pos + 28, 0, true);
    view.setUint32(pos + 32, headers.byteLength, true);
    view.setUint32(pos + 36, payload.byteLength, true);
    view.setUint32(pos + 40, 0, true);
    view.setUint32(pos + 44, 0, true);
    pos += FRAME_HEADER_SIZE;
    bytes.set(payload, pos);
    pos += payload.byteLength;
    if (headers.byteLength > 0) {
      bytes.set(headers, pos);
      pos += headers.byteLength;
    }
  }
  return pos;
}

/** One send confirmation: numeric ids and the offset of the first message. */
export interface SendConfirmation {
  streamId: number;
  topicId: number;
  partitionId: number;
  baseOffset: bigint;
}

const sendResponse: Codec<SendConfirmation[]> = custom(
  (w, v) => {
    if (v.length === 0) return;
    w.u32(v.length);
    for (const c of v) w.u32(c.streamId).u32(c.topicId).u32(c.partitionId).u64(c.baseOffset);
  },
  (r) => {
    if (r.remaining === 0) return [];
    const count = r.u32('confirmations count');
    const out: SendConfirmation[] = [];
    for (let i = 0; i < count; i++) {
      out.push({ streamId: r.u32(), topicId: r.u32(), partitionId: r.u32(), baseOffset: r.u64() });
    }
    return out;
  },
);

/** SendMessages (101 → op 160, partition plane). */
export const sendMessages = defineCommand('SendMessages', CommandCode.SendMessages, sendRequest, sendResponse);

/** A PollMessages request (spec §8.10). */
export interface PollMessagesRequest {
  consumer: WireConsumer;
  stream: Identifier;
  topic: Identifier;
  partition: number | null;
  strategy: WireStrategy;
  count: number;
  autoCommit: boolean;
}

const pollRequest: Codec<PollMessagesRequest> = custom(
  (w, v) => {
    consumer.write(w, v.consumer);
    identifier.write(w, v.stream);
    identifier.write(w, v.topic);
    optionalPartition.write(w, v.partition);
    strategy.write(w, v.strategy);
    w.u32(checkU32(v.count, 'count'));
    bool.write(w, v.autoCommit);
  },
  (r) => ({
    consumer: consumer.read(r),
    stream: identifier.read(r),
    topic: identifier.read(r),
    partition: optionalPartition.read(r),
    strategy: strategy.read(r),
    count: r.u32('count'),
    autoCommit: bool.read(r),
  }),
);

/** A PollMessages response: the 16-byte prefix and the batch records. */
export interface PollMessagesResponse {
  partitionId: number;
  currentOffset: bigint;
  /** Messages in the reply, as the prefix declares it. */
  messagesCount: number;
  batches: WireBatch[];
}

const pollResponse: Codec<PollMessagesResponse> = custom(
  (w, v) => {
    w.u32(v.partitionId).u64(v.currentOffset).u32(v.messagesCount);
    for (const b of v.batches) writeBatch(w, b);
  },
  (r) => {
    const partitionId = r.u32('partition id');
    const currentOffset = r.u64('current offset');
    const messagesCount = r.u32('messages count');
    const batches: WireBatch[] = [];
    while (r.remaining > 0) batches.push(readBatch(r));
    return { partitionId, currentOffset, messagesCount, batches };
  },
);

/** PollMessages (100, NonReplicated). */
export const pollMessages = defineCommand('PollMessages', CommandCode.PollMessages, pollRequest, pollResponse);

/** A polled message, flattened from its batch record (spec §8.10). */
export interface WirePolledMessage {
  id: bigint;
  offset: bigint;
  timestamp: bigint;
  originTimestamp: bigint;
  /** A view of the reply buffer (not a copy). */
  payload: Buffer;
  /** A view of the encoded user-header bytes (may be empty). */
  headers: Buffer;
}

/** A PollMessages response decoded straight into flat messages (no per-batch objects). */
export interface FlatPollResponse {
  partitionId: number;
  currentOffset: bigint;
  /** Messages in the reply, as the prefix declares it. */
  messagesCount: number;
  messages: WirePolledMessage[];
}

/**
 * Reads the batch records of a poll reply straight into flat messages, checking the same
 * framing rules as `readBatch` (records and frames must tile exactly); payloads and headers
 * are views of the reply buffer.
 */
function readFlatMessages(r: Reader, out: WirePolledMessage[]): void {
  while (r.remaining > 0) {
    const header = r.bytes(BATCH_HEADER_SIZE, 'batch header');
    const length = header.readBigUInt64LE(32);
    const count = header.readUInt32LE(48);
    if (length < BigInt(BATCH_HEADER_SIZE) || length - BigInt(BATCH_HEADER_SIZE) > BigInt(r.remaining)) {
      r.fail(`batch length ${length} does not fit the ${r.remaining + BATCH_HEADER_SIZE} bytes left`);
    }
    const baseOffset = header.readBigUInt64LE(8);
    const baseTimestamp = header.readBigUInt64LE(16);
    const originTimestamp = header.readBigUInt64LE(24);
    const blob = r.bytes(Number(length) - BATCH_HEADER_SIZE, 'batch frames');
    let pos = 0;
    for (let i = 0; i < count; i++) {
      if (blob.length - pos < FRAME_HEADER_SIZE) r.fail(`frame ${i} of ${count} is truncated`);
      const headersLength = blob.readUInt32LE(pos + 32);
      const payloadLength = blob.readUInt32LE(pos + 36);
      const payloadStart = pos + FRAME_HEADER_SIZE;
      const end = payloadStart + payloadLength + headersLength;
      if (end > blob.length) r.fail(`frame ${i} of ${count} overruns its batch`);
      const high = blob.readBigUInt64LE(pos + 16);
      const low = blob.readBigUInt64LE(pos + 8);
      const timestampDelta = blob.readUInt32LE(pos + 28);
      out.push({
        id: high === 0n ? low : low | (high << 64n),
        offset: baseOffset + BigInt(blob.readUInt32LE(pos + 24)),
        timestamp: baseTimestamp,
        originTimestamp: timestampDelta === 0 ? originTimestamp : originTimestamp + BigInt(timestampDelta),
        payload: blob.subarray(payloadStart, payloadStart + payloadLength),
        headers: blob.subarray(payloadStart + payloadLength, end),
      });
      pos = end;
    }
    if (pos !== blob.length) r.fail(`batch frames leave ${blob.length - pos} bytes untiled`);
  }
}

const flatPollResponse: Codec<FlatPollResponse> = custom(
  (w, v) => {
    w.u32(v.partitionId).u64(v.currentOffset).u32(v.messagesCount);
    // One record per message (test peers only): same messages, different record boundaries.
    for (const m of v.messages) {
      writeBatch(w, {
        partitionId: BigInt(v.partitionId),
        baseOffset: m.offset,
        baseTimestamp: m.timestamp,
        originTimestamp: m.originTimestamp,
        frames: [{ id: m.id, offsetDelta: 0, timestampDelta: 0, payload: m.payload, headers: m.headers }],
      });
    }
  },
  (r) => {
    const partitionId = r.u32('partition id');
    const currentOffset = r.u64('current offset');
    const messagesCount = r.u32('messages count');
    const messages: WirePolledMessage[] = [];
    readFlatMessages(r, messages);
    return { partitionId, currentOffset, messagesCount, messages };
  },
);

/** PollMessages (100, NonReplicated) with the reply decoded straight into flat messages. */
export const pollMessagesFlat = defineCommand('PollMessages', CommandCode.PollMessages, pollRequest, flatPollResponse);
