import { randomBytes } from 'node:crypto';
import { xxh3 } from '@node-rs/xxhash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, stampFrames, stampNatively, usesWebAssembly, xxh3Hash } from './hasher';

/** Builds `sizes.length` frames (payload sizes given, optional user-header bytes) with zeroed checksums. */
function framesOf(sizes: readonly number[], headerBytes = 0): { buf: Buffer; start: number; end: number } {
  const start = 13;
  const total = sizes.reduce((sum, size) => sum + 48 + size + headerBytes, 0);
  const buf = Buffer.alloc(start + total + 5);
  let pos = start;
  for (const size of sizes) {
    randomBytes(40).copy(buf, pos + 8);
    buf.writeUInt32LE(headerBytes, pos + 32);
    buf.writeUInt32LE(size, pos + 36);
    randomBytes(size + headerBytes).copy(buf, pos + 48);
    pos += 48 + size + headerBytes;
  }
  return { buf, start, end: pos };
}

/** The expected stamping, with the native binding. */
function expected(buf: Buffer, start: number, count: number, meta: Buffer): { sums: bigint[]; batch: bigint } {
  const sums: bigint[] = [];
  let pos = start;
  for (let i = 0; i < count; i++) {
    const length = 48 + buf.readUInt32LE(pos + 32) + buf.readUInt32LE(pos + 36);
    sums.push(xxh3.xxh64(buf.subarray(pos + 8, pos + length)));
    pos += length;
  }
  const all = Buffer.alloc(44 + 8 * count);
  meta.copy(all);
  sums.forEach((s, i) => {
    all.writeBigUInt64LE(s, 44 + 8 * i);
  });
  return { sums, batch: xxh3.xxh64(all) };
}

function stamped(buf: Buffer, start: number, count: number): bigint[] {
  const out: bigint[] = [];
  let pos = start;
  for (let i = 0; i < count; i++) {
    out.push(buf.readBigUInt64LE(pos));
    pos += 48 + buf.readUInt32LE(pos + 32) + buf.readUInt32LE(pos + 36);
  }
  return out;
}

describe('XXH3-64 on WebAssembly', () => {
  it('runs on WebAssembly in this runtime', () => {
    expect(usesWebAssembly).toBe(true);
  });

  it('matches the native binding for every length up to 4 KiB', () => {
    const data = randomBytes(4200);
    for (let n = 0; n <= 4200; n++) {
      const input = data.subarray(0, n);
      expect(xxh3Hash(input), `length ${n}`).toBe(xxh3.xxh64(input));
    }
  });

  it('matches the native binding on random inputs of random lengths', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), (bytes) => {
        expect(xxh3Hash(bytes)).toBe(xxh3.xxh64(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('hands inputs over the window to the native binding', () => {
    const big = randomBytes(CHUNK_BYTES + 3);
    expect(xxh3Hash(big)).toBe(xxh3.xxh64(big));
  });

  it('stamps every frame of a batch and returns the batch checksum', () => {
    for (const sizes of [[1], [1024, 1024, 7], Array.from({ length: 1000 }, () => 1024), [200, 3, 5000, 17]]) {
      for (const headerBytes of [0, 9]) {
        const { buf, start, end } = framesOf(sizes, headerBytes);
        const meta = randomBytes(44);
        const want = expected(buf, start, sizes.length, meta);
        const before = Buffer.from(buf);
        const batch = stampFrames(buf, start, end, sizes.length, meta);
        expect(batch).toBe(want.batch);
        expect(stamped(buf, start, sizes.length)).toEqual(want.sums);
        // Only the checksum fields changed.
        let pos = start;
        for (const size of sizes) {
          before.copy(buf, pos, pos, pos + 8);
          pos += 48 + size + headerBytes;
        }
        expect(buf.equals(before)).toBe(true);
      }
    }
  });

  it('stamps batches larger than the window in runs, and frames larger than it natively', () => {
    const sizes = [CHUNK_BYTES - 100, 2000, CHUNK_BYTES + 10, ...Array.from({ length: 3000 }, () => 900), 12];
    const { buf, start, end } = framesOf(sizes);
    const meta = randomBytes(44);
    const want = expected(buf, start, sizes.length, meta);
    expect(stampFrames(buf, start, end, sizes.length, meta)).toBe(want.batch);
    expect(stamped(buf, start, sizes.length)).toEqual(want.sums);
  });

  it('stamps the same with the native fallback', () => {
    const sizes = [1, 300, 1024, 17];
    const { buf, start, end } = framesOf(sizes, 5);
    const copy = Buffer.from(buf);
    const meta = randomBytes(44);
    expect(stampNatively(copy, start, end, sizes.length, meta)).toBe(stampFrames(buf, start, end, sizes.length, meta));
    expect(copy.equals(buf)).toBe(true);
  });

  it('rejects frames that do not tile their range', () => {
    const { buf, start, end } = framesOf([10, 10]);
    for (const stamp of [stampFrames, stampNatively]) {
      expect(() => stamp(buf, start, end + 1, 2, Buffer.alloc(44))).toThrow(RangeError);
      expect(() => stamp(buf, start, end, 1, Buffer.alloc(44))).toThrow(RangeError);
    }
  });
});
