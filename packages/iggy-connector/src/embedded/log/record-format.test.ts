import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeRecord } from '../testing/log-fixtures';
import {
  CRC_SEED,
  checkRecord,
  crcOf,
  encodeBatch,
  encodedSize,
  FIELD_ID,
  FIELD_OFFSET,
  FIELD_ORIGIN,
  FIELD_TIMESTAMP,
  RECORD_HEADER_BYTES,
  readId,
  readU64,
  viewOf,
} from './record-format';
import { crc32Words } from './crc-words';
import { SparseIndex } from './sparse-index';
import type { AppendRecord } from './types';

/** Encodes `records` as one batch at position 0 of a segment based at `base`. */
function encode(records: AppendRecord[], base = 0, interval = 4096, timestamp = 1_700_000_000_000_123) {
  const sizes = records.map((r, i) => encodedSize(r, i));
  const total = sizes.reduce((a, b) => a + b, 0);
  return encodeBatch(null, records, sizes, total, base, base, timestamp, 0, { lastIndexedPosition: -1, intervalBytes: interval });
}

describe('record format', () => {
  it('lays out every field at its documented place', () => {
    const record: AppendRecord = {
      id: (0x0102030405060708n << 64n) | 0x1112131415161718n,
      originTimestamp: 0x0a0b0c0d0e0fn,
      headers: Buffer.from('hh'),
      payload: Buffer.from('payload'),
    };
    const { bytes } = encode([record], 5);
    expect(bytes.length).toBe(56 + 2 + 7);
    expect(bytes.readUInt32LE(0)).toBe(65);
    expect(readU64(bytes, FIELD_OFFSET)).toBe(5);
    expect(readU64(bytes, FIELD_TIMESTAMP)).toBe(1_700_000_000_000_123);
    expect(bytes.readBigUInt64LE(FIELD_ORIGIN)).toBe(0x0a0b0c0d0e0fn);
    expect(readId(viewOf(bytes), FIELD_ID)).toBe(record.id);
    expect(bytes.readBigUInt64LE(FIELD_ID)).toBe(0x1112131415161718n);
    expect(bytes.readUInt32LE(44)).toBe(2);
    expect(bytes.readUInt32LE(48)).toBe(7);
    expect(bytes.subarray(RECORD_HEADER_BYTES, RECORD_HEADER_BYTES + 2).toString()).toBe('hh');
    expect(bytes.subarray(54, 61).toString()).toBe('payload');
    // The trailer is zlib's CRC-32 of bytes 0..61, continued from the seed.
    expect(bytes.readUInt32LE(61)).toBe(crc32(bytes.subarray(0, 61), CRC_SEED));
    expect(checkRecord(bytes, 0, bytes.length, 5)).toEqual({
      status: 'ok',
      length: 65,
      offset: 5,
      timestamp: 1_700_000_000_000_123,
    });
  });

  it('a run of valid records checksums back to the seed in one call; any flipped bit breaks it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (n, where, bit) => {
        const records = Array.from({ length: n }, (_, i) => makeRecord(i));
        const { bytes } = encode(records);
        expect(crcOf(bytes, 0, bytes.length, CRC_SEED)).toBe(CRC_SEED);
        const damaged = Buffer.from(bytes);
        const at = where % damaged.length;
        damaged[at] = (damaged[at] as number) ^ (1 << bit);
        expect(crcOf(damaged, 0, damaged.length, CRC_SEED)).not.toBe(CRC_SEED);
      }),
    );
  });

  it('classifies incomplete, malformed and bad records', () => {
    const { bytes } = encode([makeRecord(1, 30)]);
    expect(checkRecord(bytes, 0, 3, 0).status).toBe('incomplete');
    expect(checkRecord(bytes, 0, bytes.length - 1, 0).status).toBe('incomplete');
    expect(checkRecord(bytes, 0, bytes.length, 1)).toMatchObject({ status: 'bad', reason: expect.stringMatching(/offset/) });
    const badLength = Buffer.from(bytes);
    badLength.writeUInt32LE(10, 0);
    expect(checkRecord(badLength, 0, badLength.length, 0).status).toBe('malformed');
    const disagree = Buffer.from(bytes);
    disagree.writeUInt32LE(3, 48);
    expect(checkRecord(disagree, 0, disagree.length, 0).status).toBe('malformed');
    const badCrc = Buffer.from(bytes);
    badCrc[60] = (badCrc[60] as number) ^ 1;
    expect(checkRecord(badCrc, 0, badCrc.length, 0)).toMatchObject({ status: 'bad', reason: 'checksum mismatch' });
  });

  it('emits sparse index entries: the first record, then one per interval', () => {
    const records = Array.from({ length: 30 }, (_, i) => makeRecord(i, 100, 0)); // 156 bytes each
    const batch = encode(records, 1000, 500);
    expect(batch.entryCount).toBe(8); // positions 0, 624, 1248, … (every 4th record)
    const index = new SparseIndex();
    index.appendEncoded(batch.indexEntries, batch.timeEntries, batch.entryCount);
    expect(index.relOffset(1)).toBe(4);
    expect(index.position(1)).toBe(624);
    expect(index.timestamp(1)).toBe(1_700_000_000_000_123);
    expect(index.floorByOffset(5)).toBe(1);
    expect(index.floorByOffset(0)).toBe(0);
    expect(index.lastBeforeTimestamp(1_700_000_000_000_123)).toBe(-1);
    expect(index.lastBeforeTimestamp(1_700_000_000_000_124)).toBe(7);
    expect(batch.lastIndexedPosition).toBe(7 * 624);
    // Files round-trip; an inconsistent tail is dropped.
    const fromFiles = SparseIndex.fromFiles(Buffer.from(index.offsetBytes()), Buffer.from(index.timeBytes()), 30 * 156);
    expect(fromFiles.count).toBe(8);
    expect(SparseIndex.fromFiles(Buffer.from(index.offsetBytes()), Buffer.from(index.timeBytes()), 2000).count).toBe(4);
    const broken = Buffer.from(index.offsetBytes());
    broken.writeUInt32LE(1, 3 * 8); // relative offsets must increase
    expect(SparseIndex.fromFiles(broken, Buffer.from(index.timeBytes()), 30 * 156).count).toBe(3);
  });
});

describe('crc32Words', () => {
  // (zlib.crc32 of zero bytes returns 0 whatever the seed, so inputs hold at least one word.)
  it('matches zlib.crc32 for any words and seed (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 64 }), fc.nat({ max: 0xffff_ffff }), (raw, seed) => {
        const bytes = Buffer.from(raw.subarray(0, raw.length - (raw.length % 4)));
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        expect(crc32Words(view, 0, bytes.length / 4, seed)).toBe(crc32(bytes, seed));
      }),
    );
  });
});
