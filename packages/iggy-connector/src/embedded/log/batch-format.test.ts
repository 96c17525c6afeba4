import { crc32 as zlibCrc32 } from 'node:zlib';
import { ErrorCodes } from '@rustok/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeRecord, sameRecord } from '../testing/log-fixtures';
import { decodeMessages, type ReadSink } from './batch-decoder';
import { encodeAppend, planAppend } from './batch-encoder';
import {
  align8,
  BATCH_HEADER_BYTES,
  type ByteView,
  byteViewOf,
  checkBatch,
  ENTRY_BYTES,
  nextBatchProblem,
  readBatchInfo,
} from './batch-format';
import { SparseIndex } from './sparse-index';
import type { AppendRecord, StoredRecord } from './types';

const TS = 1_700_000_000_000_123;

/** Where and how `encode` places an append. */
interface EncodeOptions {
  base?: number;
  first?: number;
  position?: number;
  interval?: number;
  maxBatchBytes?: number;
  out?: ByteView | null;
}

/** Encodes `records` as one append at position `position` of a segment based at `base`. */
function encode(records: readonly AppendRecord[], options: EncodeOptions = {}) {
  const { base = 0, position = 0, interval = 4096, maxBatchBytes = 1 << 20, out = null } = options;
  const first = options.first ?? base;
  const plan = planAppend(records, maxBatchBytes);
  const target = out ?? byteViewOf(Buffer.allocUnsafeSlow(plan.totalBytes));
  const encoded = encodeAppend(target, plan, records, first, TS, position, base, { lastIndexedPosition: -1, intervalBytes: interval });
  return { plan, ...encoded };
}

/** Decodes every message of every batch in `bv` from byte `start` on. */
function decodeAll(bv: ByteView, start = 0, end = bv.bytes.length): StoredRecord[] {
  const sink: ReadSink = { out: [], maxCount: Number.POSITIVE_INFINITY, maxBytes: Number.POSITIVE_INFINITY, bytes: 0 };
  for (let pos = start; pos < end; ) {
    const check = checkBatch(bv, pos, end, -1);
    if (check.status !== 'ok') throw new Error(`batch at ${pos}: ${check.status}`);
    decodeMessages(bv, pos, check.info, 0, check.info.count, sink);
    pos += check.info.length;
  }
  return sink.out;
}

/** A copy of `bytes` placed at an odd byte offset of a larger buffer (no aligned u64 access). */
function misaligned(bytes: Buffer): ByteView {
  const host = Buffer.alloc(bytes.length + 3);
  bytes.copy(host, 3);
  return byteViewOf(host.subarray(3));
}

describe('batch format', () => {
  it('lays out every field at its documented place', () => {
    const record: AppendRecord = {
      id: (0x0102030405060708n << 64n) | 0x1112131415161718n,
      originTimestamp: 0x0a0b0c0d0e0fn,
      headers: Buffer.from('hh'),
      payload: Buffer.from('payload'),
    };
    const { bytes } = encode([record], { base: 5 });
    // 40 header + 32 entry + 2 + 7 data = 81, padded to 88.
    expect(bytes.length).toBe(88);
    expect(bytes.readUInt32LE(4)).toBe(88);
    expect(bytes.readUInt32LE(0)).toBe(zlibCrc32(bytes.subarray(4)));
    expect(bytes[8]).toBe(2);
    expect(bytes.subarray(9, 12)).toEqual(Buffer.alloc(3));
    expect(bytes.readUInt32LE(12)).toBe(1);
    expect(bytes.readBigUInt64LE(16)).toBe(5n);
    expect(bytes.readBigUInt64LE(24)).toBe(BigInt(TS));
    expect(bytes.readUInt32LE(32)).toBe(9);
    expect(bytes.readUInt32LE(36)).toBe(0);
    expect(bytes.readBigUInt64LE(40)).toBe(0x1112131415161718n);
    expect(bytes.readBigUInt64LE(48)).toBe(0x0102030405060708n);
    expect(bytes.readBigUInt64LE(56)).toBe(0x0a0b0c0d0e0fn);
    expect(bytes.readUInt32LE(64)).toBe(2);
    expect(bytes.readUInt32LE(68)).toBe(7);
    expect(bytes.subarray(72, 74).toString()).toBe('hh');
    expect(bytes.subarray(74, 81).toString()).toBe('payload');
    expect(bytes.subarray(81, 88)).toEqual(Buffer.alloc(7));
    expect(checkBatch(byteViewOf(bytes), 0, bytes.length, 5)).toEqual({
      status: 'ok',
      info: { length: 88, count: 1, baseOffset: 5, timestamp: TS, dataLength: 9 },
    });
  });

  it('round-trips every field, through aligned and misaligned buffers, from any message on', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
            origin: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
            payload: fc.uint8Array({ maxLength: 40 }),
            headers: fc.uint8Array({ maxLength: 12 }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        fc.nat(),
        (specs, skipSeed) => {
          const records: AppendRecord[] = specs.map((s) => ({
            id: s.id,
            originTimestamp: s.origin,
            payload: Buffer.from(s.payload),
            headers: Buffer.from(s.headers),
          }));
          const { bytes } = encode(records, { base: 1000, first: 1010 });
          for (const bv of [byteViewOf(bytes), misaligned(bytes)]) {
            const all = decodeAll(bv);
            expect(all.map((r) => r.offset)).toEqual(records.map((_, i) => BigInt(1010 + i)));
            all.forEach((r, i) => {
              expect(r.timestamp).toBe(BigInt(TS));
              expect(sameRecord(r, records[i] as AppendRecord)).toBe(true);
            });
            // From a message in the middle of the batch.
            const from = skipSeed % records.length;
            const info = readBatchInfo(bv.view, 0);
            const sink: ReadSink = { out: [], maxCount: 100, maxBytes: Number.POSITIVE_INFINITY, bytes: 0 };
            decodeMessages(bv, 0, info, from, info.count, sink);
            expect(sink.out.map((r) => r.offset)).toEqual(all.slice(from).map((r) => r.offset));
            sink.out.forEach((r, i) => {
              expect(sameRecord(r, records[from + i] as AppendRecord)).toBe(true);
            });
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('writes the same bytes without the u64 word view (big-endian hosts)', () => {
    const records = Array.from({ length: 9 }, (_, i) => makeRecord(i));
    const fast = encode(records).bytes;
    const plain = byteViewOf(Buffer.alloc(fast.length));
    const slow = encode(records, { out: { ...plain, words: null } }).bytes;
    expect(slow.equals(fast)).toBe(true);
    const decoded = decodeAll({ ...byteViewOf(slow), words: null });
    decoded.forEach((r, i) => {
      expect(sameRecord(r, records[i] as AppendRecord)).toBe(true);
    });
  });

  it('stops decoding at maxCount and at the byte budget (taking at least one message)', () => {
    const records = Array.from({ length: 10 }, (_, i) => makeRecord(i, 100, 0)); // 132 bytes each
    const bv = byteViewOf(encode(records).bytes);
    const info = readBatchInfo(bv.view, 0);
    const byCount: ReadSink = { out: [], maxCount: 3, maxBytes: Number.POSITIVE_INFINITY, bytes: 0 };
    expect(decodeMessages(bv, 0, info, 2, info.count, byCount)).toBe(false);
    expect(byCount.out.map((r) => r.offset)).toEqual([2n, 3n, 4n]);
    const byBytes: ReadSink = { out: [], maxCount: 100, maxBytes: 2 * 132 + 10, bytes: 0 };
    expect(decodeMessages(bv, 0, info, 0, info.count, byBytes)).toBe(false);
    expect(byBytes.out).toHaveLength(2);
    expect(byBytes.bytes).toBe(2 * (ENTRY_BYTES + 100));
    const tiny: ReadSink = { out: [], maxCount: 100, maxBytes: 1, bytes: 0 };
    decodeMessages(bv, 0, info, 0, info.count, tiny);
    expect(tiny.out).toHaveLength(1);
    const all: ReadSink = { out: [], maxCount: 100, maxBytes: Number.POSITIVE_INFINITY, bytes: 0 };
    expect(decodeMessages(bv, 0, info, 0, info.count, all)).toBe(true);
  });

  it('classifies incomplete, malformed and bad batches', () => {
    const { bytes } = encode([makeRecord(1, 30), makeRecord(2, 5)]);
    const at = (b: Buffer, end = b.length, expected = 0) => checkBatch(byteViewOf(b), 0, end, expected);
    expect(at(bytes, 39).status).toBe('incomplete');
    expect(at(bytes, bytes.length - 1).status).toBe('incomplete');
    expect(at(bytes, bytes.length, 1)).toMatchObject({ status: 'bad', reason: expect.stringMatching(/offset/) });
    const edit = (change: (b: Buffer) => void) => {
      const copy = Buffer.from(bytes);
      change(copy);
      return at(copy);
    };
    expect(edit((b) => b.writeUInt8(1, 8))).toMatchObject({ status: 'malformed', reason: expect.stringMatching(/magic/) });
    expect(edit((b) => b.writeUInt8(1, 10))).toMatchObject({ status: 'malformed', reason: expect.stringMatching(/reserved/) });
    expect(edit((b) => b.writeUInt32LE(bytes.length + 4, 4)).status).toBe('malformed');
    expect(edit((b) => b.writeUInt32LE(3, 12))).toMatchObject({ status: 'malformed', reason: expect.stringMatching(/disagree/) });
    expect(edit((b) => b.writeUInt32LE(0, 12)).status).toBe('malformed');
    expect(edit((b) => b.writeUInt32LE(0x0020_0000, 20))).toMatchObject({ status: 'malformed', reason: expect.stringMatching(/range/) });
    // A checksum-consistent batch whose entry lengths do not add up is bad too.
    const inconsistent = Buffer.from(bytes);
    inconsistent.writeUInt32LE(inconsistent.readUInt32LE(BATCH_HEADER_BYTES + 28) + 1, BATCH_HEADER_BYTES + 28);
    inconsistent.writeUInt32LE(zlibCrc32(inconsistent.subarray(4)), 0);
    expect(at(inconsistent)).toMatchObject({ status: 'bad', reason: expect.stringMatching(/lengths/) });
    expect(at(Buffer.from(bytes))).toMatchObject({ status: 'ok' });
  });

  it('any flipped bit makes the batch fail its checks (one crc covers the whole batch)', () => {
    const records = Array.from({ length: 6 }, (_, i) => makeRecord(i));
    const { bytes } = encode(records, { base: 40 });
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 0, max: 7 }), (where, bit) => {
        const damaged = Buffer.from(bytes);
        damaged[where] = (damaged[where] as number) ^ (1 << bit);
        expect(checkBatch(byteViewOf(damaged), 0, damaged.length, 40).status).not.toBe('ok');
      }),
    );
  });

  it('checks a batch as the next one of a walk: header, expected offset, room in the segment', () => {
    const { bytes } = encode([makeRecord(0)], { base: 7 });
    const { view } = byteViewOf(bytes);
    expect(nextBatchProblem(view, 0, bytes.length, 7, bytes.length)).toBeNull();
    expect(nextBatchProblem(view, 0, 20, 7, bytes.length)).toMatch(/truncated/);
    expect(nextBatchProblem(view, 0, bytes.length, 8, bytes.length)).toMatch(/offset 7, expected 8/);
    expect(nextBatchProblem(view, 0, bytes.length, 7, bytes.length - 8)).toMatch(/past the end/);
  });
});

describe('batch encoder', () => {
  it('cuts an append into batches of at most maxBatchBytes; a larger record gets its own', () => {
    const records = [makeRecord(0, 100, 0), makeRecord(1, 100, 0), makeRecord(2, 500, 0), makeRecord(3, 100, 0)];
    // 40 + 2 * (32 + 100) = 304 fits 320; a third record would not.
    const plan = planAppend(records, 320);
    expect(plan.counts).toEqual([2, 1, 1]);
    expect(plan.lengths).toEqual([304, align8(40 + 32 + 500), align8(40 + 32 + 100)]);
    expect(plan.totalBytes).toBe(304 + 576 + 176);
    const { bytes } = encode(records, { base: 10, maxBatchBytes: 320 });
    expect(bytes.length).toBe(plan.totalBytes);
    const bv = byteViewOf(bytes);
    expect([0, 304, 880].map((pos) => readBatchInfo(bv.view, pos).baseOffset)).toEqual([10, 12, 13]);
    decodeAll(bv).forEach((r, i) => {
      expect(r.offset).toBe(BigInt(10 + i));
      expect(sameRecord(r, records[i] as AppendRecord)).toBe(true);
    });
    expect(planAppend(records, 1 << 20).counts).toEqual([4]);
  });

  it('emits sparse index entries for batch starts: the first, then one per interval', () => {
    const records = Array.from({ length: 30 }, (_, i) => makeRecord(i, 100, 0)); // 132 bytes each
    // Batches of 3 records (40 + 3 * 132 = 436, padded to 440 bytes); interval 800: every second batch.
    const encoded = encode(records, { base: 1000, first: 1000, position: 0, interval: 800, maxBatchBytes: 440 });
    expect(encoded.plan.lengths).toEqual(Array.from({ length: 10 }, () => 440));
    expect(encoded.entryCount).toBe(5);
    const index = new SparseIndex();
    index.appendEncoded(encoded.indexEntries, encoded.timeEntries, encoded.entryCount);
    expect([0, 1, 2].map((e) => [index.relOffset(e), index.position(e)])).toEqual([
      [0, 0],
      [6, 880],
      [12, 1760],
    ]);
    expect(index.timestamp(1)).toBe(TS);
    expect(encoded.lastIndexedPosition).toBe(4 * 880);
    expect(index.floorByOffset(7)).toBe(1);
    expect(index.floorByPosition(879)).toBe(0);
    expect(index.floorByPosition(880)).toBe(1);
    expect(index.lastBeforeTimestamp(TS)).toBe(-1);
    expect(index.lastBeforeTimestamp(TS + 1)).toBe(4);
    // Files round-trip; an inconsistent tail is dropped.
    const fromFiles = SparseIndex.fromFiles(Buffer.from(index.offsetBytes()), Buffer.from(index.timeBytes()), 10 * 440);
    expect(fromFiles.count).toBe(5);
    expect(SparseIndex.fromFiles(Buffer.from(index.offsetBytes()), Buffer.from(index.timeBytes()), 2000).count).toBe(3);
    const broken = Buffer.from(index.offsetBytes());
    broken.writeUInt32LE(1, 3 * 8); // relative offsets must increase
    expect(SparseIndex.fromFiles(broken, Buffer.from(index.timeBytes()), 10 * 440).count).toBe(3);
  });

  it('rejects bad records with VALIDATION, naming the first one', () => {
    const good = makeRecord(0);
    const cases: [Partial<AppendRecord>, string][] = [
      [{ id: -1n }, 'id'],
      [{ id: 1n << 128n }, 'id'],
      [{ id: 5 as unknown as bigint }, 'id'],
      [{ originTimestamp: 1n << 64n }, 'originTimestamp'],
      [{ payload: 42 as unknown as Uint8Array }, 'payload'],
    ];
    for (const [change, field] of cases) {
      expect(() => planAppend([good, { ...good, ...change }], 1 << 20)).toThrow(
        expect.objectContaining({ code: ErrorCodes.VALIDATION, details: expect.objectContaining({ field, index: 1 }) }),
      );
    }
  });
});
