import {
  BATCH_HEADER_BYTES,
  type BatchInfo,
  type ByteView,
  ENTRY_BYTES,
  ENTRY_HEADERS_LENGTH,
  ENTRY_PAYLOAD_LENGTH,
} from './batch-format';
import { DecodedRecord } from './stored-record';
import type { StoredRecord } from './types';

/** Creates a Buffer viewing `length` bytes of `ab` at `offset`, like `Buffer.from(ab, offset, length)`. */
type ViewMaker = new (ab: ArrayBufferLike, offset: number, length: number) => Buffer;

/**
 * Node's own Buffer class (`Buffer[Symbol.species]`, which `Buffer.from(arrayBuffer, …)` uses
 * internally): constructing it directly skips `Buffer.from`'s argument dispatch, a measurable
 * part of decoding small messages. Falls back to `Buffer.from` if the runtime does not provide it.
 */
const BufferView: ViewMaker = (() => {
  const species = (Buffer as unknown as Record<symbol, unknown>)[Symbol.species];
  if (typeof species === 'function') {
    try {
      const probe = new (species as ViewMaker)(new ArrayBuffer(8), 2, 4);
      if (Buffer.isBuffer(probe) && probe.byteOffset === 2 && probe.length === 4) return species as ViewMaker;
    } catch {
      // Not constructible that way: use Buffer.from below.
    }
  }
  return function viaFrom(ab: ArrayBufferLike, offset: number, length: number) {
    return Buffer.from(ab, offset, length);
  } as unknown as ViewMaker;
})();

/** Where a read puts decoded messages, and its limits. */
export interface ReadSink {
  out: StoredRecord[];
  maxCount: number;
  /** Byte budget (Σ ENTRY_BYTES + headers + payload); at least one message is always taken. */
  maxBytes: number;
  /** Bytes taken so far. */
  bytes: number;
}

/** Size a message counts for against a read's byte budget. */
export function messageBytes(headers: number, payload: number): number {
  return ENTRY_BYTES + headers + payload;
}

/**
 * Appends messages `from` .. `to - 1` (indexes inside the batch) of the verified batch at `pos`
 * to `sink.out`, as views into `bv`'s buffer. Returns false once the sink is full (the caller
 * stops reading), true when every requested message was taken.
 */
export function decodeMessages(bv: ByteView, pos: number, info: BatchInfo, from: number, to: number, sink: ReadSink): boolean {
  const { bytes, view } = bv;
  const ab = bytes.buffer;
  const abOffset = bytes.byteOffset;
  const entries = pos + BATCH_HEADER_BYTES;
  let d = entries + info.count * ENTRY_BYTES;
  for (let i = 0, e = entries; i < from; i++, e += ENTRY_BYTES) {
    d += view.getUint32(e + ENTRY_HEADERS_LENGTH, true) + view.getUint32(e + ENTRY_PAYLOAD_LENGTH, true);
  }
  const timestamp = BigInt(info.timestamp);
  const out = sink.out;
  const maxBytes = sink.maxBytes;
  let taken = sink.bytes;
  for (let i = from, e = entries + from * ENTRY_BYTES; i < to; i++, e += ENTRY_BYTES) {
    const h = view.getUint32(e + ENTRY_HEADERS_LENGTH, true);
    const p = view.getUint32(e + ENTRY_PAYLOAD_LENGTH, true);
    const size = ENTRY_BYTES + h + p;
    if (out.length > 0 && taken + size > maxBytes) {
      sink.bytes = taken;
      return false;
    }
    taken += size;
    out.push(new DecodedRecord(bv, e, info.baseOffset + i, timestamp, new BufferView(ab, abOffset + d + h, p), d, h));
    d += h + p;
    if (out.length >= sink.maxCount || taken >= maxBytes) {
      sink.bytes = taken;
      return false;
    }
  }
  sink.bytes = taken;
  return true;
}
