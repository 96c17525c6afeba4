import { crc32 } from 'node:zlib';

/** Magic bytes at the start of an offsets file. */
export const OFFSETS_MAGIC = Buffer.from('RKOF', 'ascii');
/** Offsets file format version. */
export const OFFSETS_VERSION = 1;
/** Size of the file header: magic (4), version u16, reserved u16. */
export const OFFSETS_HEADER_BYTES = 8;
/** Size of a record's frame: body length u32 + crc32 u32. */
const FRAME_BYTES = 8;
/** Fixed part of a record body: op u8, kind u8, partition u32, offset u64, name length u16. */
const BODY_FIXED_BYTES = 16;

/** Whose offset a record is about. Numeric consumer ids are kept apart from string ids. */
export type OffsetOwnerKind = 'consumer-number' | 'consumer-string' | 'group';

/** Identifies one stored offset inside a topic. */
export interface OffsetKey {
  kind: OffsetOwnerKind;
  name: string;
  partition: number;
}

/** One decoded record: a store (with its offset) or a delete. */
export type OffsetRecord =
  | { op: 'store'; key: OffsetKey; offset: bigint }
  | { op: 'delete'; key: OffsetKey };

const KIND_CODES: Record<OffsetOwnerKind, number> = {
  'consumer-number': 1,
  'consumer-string': 2,
  group: 3,
};
const KIND_BY_CODE = new Map<number, OffsetOwnerKind>(
  Object.entries(KIND_CODES).map(([k, v]) => [v, k as OffsetOwnerKind]),
);

/** A string usable as a Map key for `key`. */
export function offsetKeyId(key: OffsetKey): string {
  return `${KIND_CODES[key.kind]}\u0000${key.partition}\u0000${key.name}`;
}

/** Builds the 8-byte file header. */
export function encodeOffsetsHeader(): Buffer {
  const header = Buffer.alloc(OFFSETS_HEADER_BYTES);
  OFFSETS_MAGIC.copy(header, 0);
  header.writeUInt16LE(OFFSETS_VERSION, 4);
  return header;
}

/** True when `file` starts with a valid header of a version this code reads. */
export function hasValidOffsetsHeader(file: Buffer): boolean {
  return (
    file.length >= OFFSETS_HEADER_BYTES &&
    file.subarray(0, 4).equals(OFFSETS_MAGIC) &&
    file.readUInt16LE(4) === OFFSETS_VERSION
  );
}

/** Encodes one record: `[len u32][crc32 u32][op][kind][partition u32][offset u64][nameLen u16][name]`. */
export function encodeOffsetRecord(record: OffsetRecord): Buffer {
  const name = Buffer.from(record.key.name, 'utf8');
  const bodyLength = BODY_FIXED_BYTES + name.length;
  const buf = Buffer.allocUnsafe(FRAME_BYTES + bodyLength);
  buf.writeUInt32LE(bodyLength, 0);
  let pos = FRAME_BYTES;
  buf.writeUInt8(record.op === 'store' ? 1 : 2, pos);
  buf.writeUInt8(KIND_CODES[record.key.kind], pos + 1);
  buf.writeUInt32LE(record.key.partition, pos + 2);
  buf.writeBigUInt64LE(record.op === 'store' ? record.offset : 0n, pos + 6);
  buf.writeUInt16LE(name.length, pos + 14);
  pos += BODY_FIXED_BYTES;
  name.copy(buf, pos);
  buf.writeUInt32LE(crc32(buf.subarray(FRAME_BYTES)), 4);
  return buf;
}

/**
 * Decodes records after the header. Stops at the first incomplete or invalid record (a torn
 * tail); `validBytes` is where the valid prefix ends, so the caller can cut the rest off.
 */
export function decodeOffsetRecords(file: Buffer): { records: OffsetRecord[]; validBytes: number } {
  const records: OffsetRecord[] = [];
  let pos = OFFSETS_HEADER_BYTES;
  while (pos + FRAME_BYTES <= file.length) {
    const bodyLength = file.readUInt32LE(pos);
    const start = pos + FRAME_BYTES;
    const end = start + bodyLength;
    if (bodyLength < BODY_FIXED_BYTES || end > file.length) break;
    const body = file.subarray(start, end);
    if (crc32(body) !== file.readUInt32LE(pos + 4)) break;
    const record = decodeBody(body);
    if (record === null) break;
    records.push(record);
    pos = end;
  }
  return { records, validBytes: Math.min(pos, file.length) };
}

function decodeBody(body: Buffer): OffsetRecord | null {
  const op = body.readUInt8(0);
  const kind = KIND_BY_CODE.get(body.readUInt8(1));
  const partition = body.readUInt32LE(2);
  const offset = body.readBigUInt64LE(6);
  const nameLength = body.readUInt16LE(14);
  if (kind === undefined || BODY_FIXED_BYTES + nameLength !== body.length) return null;
  const key: OffsetKey = { kind, partition, name: body.toString('utf8', BODY_FIXED_BYTES) };
  if (op === 1) return { op: 'store', key, offset };
  if (op === 2) return { op: 'delete', key };
  return null;
}
