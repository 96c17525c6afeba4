// An independent reader of the segment files, written from docs/embedded-format.md §2–§3 alone
// (no engine code), checked against what the engine appended.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { makeTempDir } from '@rustok/testkit';
import { describe, expect, it } from 'vitest';
import { openPartitionLog } from '../../src/embedded/log/partition-log';
import type { AppendRecord } from '../../src/embedded/log/types';
import { makeRecord, testLogOptions } from '../../src/embedded/testing/log-fixtures';
import { ManualClock } from '../../src/embedded/testing/manual-clock';

interface Message {
  offset: bigint;
  timestamp: bigint;
  id: bigint;
  originTimestamp: bigint;
  headers: Buffer;
  payload: Buffer;
}

/** Parses one `.log` file per the documented layout; returns its messages and batch starts. */
function parseLog(bytes: Buffer): { messages: Message[]; batches: { position: number; offset: bigint; timestamp: bigint }[] } {
  const messages: Message[] = [];
  const batches: { position: number; offset: bigint; timestamp: bigint }[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const length = bytes.readUInt32LE(pos + 4);
    expect(length % 8).toBe(0);
    expect(bytes.readUInt32LE(pos)).toBe(crc32(bytes.subarray(pos + 4, pos + length)));
    expect(bytes[pos + 8]).toBe(2);
    const n = bytes.readUInt32LE(pos + 12);
    const baseOffset = bytes.readBigUInt64LE(pos + 16);
    const timestamp = bytes.readBigUInt64LE(pos + 24);
    const dataLength = bytes.readUInt32LE(pos + 32);
    expect(length).toBe(Math.ceil((40 + 32 * n + dataLength) / 8) * 8);
    batches.push({ position: pos, offset: baseOffset, timestamp });
    let data = pos + 40 + 32 * n;
    for (let i = 0; i < n; i++) {
      const e = pos + 40 + 32 * i;
      const h = bytes.readUInt32LE(e + 24);
      const p = bytes.readUInt32LE(e + 28);
      messages.push({
        offset: baseOffset + BigInt(i),
        timestamp,
        id: (bytes.readBigUInt64LE(e + 8) << 64n) | bytes.readBigUInt64LE(e),
        originTimestamp: bytes.readBigUInt64LE(e + 16),
        headers: bytes.subarray(data, data + h),
        payload: bytes.subarray(data + h, data + h + p),
      });
      data += h + p;
    }
    expect(bytes.subarray(data, pos + length).every((b) => b === 0)).toBe(true);
    pos += length;
  }
  return { messages, batches };
}

describe('on-disk format (docs/embedded-format.md)', () => {
  it('can be read back by an independent reader: batches, messages and both index files', async () => {
    await using tmp = await makeTempDir();
    const clock = new ManualClock();
    const interval = 300;
    const log = await openPartitionLog(
      tmp.path,
      testLogOptions({ clock, segmentBytes: 4000, indexIntervalBytes: interval, maxBatchBytes: 700 }),
    );
    const appended: AppendRecord[] = [];
    const stamps: bigint[] = [];
    for (let i = 0; i < 120; ) {
      const size = 1 + (i % 13);
      const records = Array.from({ length: size }, (_, k) => makeRecord(i + k));
      clock.advance(3);
      const { timestamp } = await log.append(records);
      appended.push(...records);
      for (const _ of records) stamps.push(timestamp);
      i += size;
    }
    await log.close();

    const logs = (await readdir(tmp.path)).filter((f) => f.endsWith('.log')).sort();
    expect(logs.length).toBeGreaterThan(2);
    const all: Message[] = [];
    for (const name of logs) {
      const stem = name.slice(0, -4);
      const { messages, batches } = parseLog(await readFile(join(tmp.path, name)));
      const base = BigInt(stem);
      expect(batches[0]?.offset).toBe(base);
      all.push(...messages);
      // Index entries: the first batch, then the first batch ≥ interval bytes after the previous entry.
      const expected: { rel: number; position: number; timestamp: bigint }[] = [];
      for (const b of batches) {
        const last = expected.at(-1);
        if (last === undefined || b.position - last.position >= interval) {
          expected.push({ rel: Number(b.offset - base), position: b.position, timestamp: b.timestamp });
        }
      }
      const index = await readFile(join(tmp.path, `${stem}.index`));
      const time = await readFile(join(tmp.path, `${stem}.timeindex`));
      expect(index.length).toBe(expected.length * 8);
      expect(time.length).toBe(expected.length * 12);
      expected.forEach((entry, k) => {
        expect(index.readUInt32LE(k * 8)).toBe(entry.rel);
        expect(index.readUInt32LE(k * 8 + 4)).toBe(entry.position);
        expect(time.readBigUInt64LE(k * 12)).toBe(entry.timestamp);
        expect(time.readUInt32LE(k * 12 + 8)).toBe(entry.rel);
      });
    }
    expect(all.map((m) => m.offset)).toEqual(appended.map((_, i) => BigInt(i)));
    all.forEach((m, i) => {
      const r = appended[i] as AppendRecord;
      expect(m.id).toBe(r.id);
      expect(m.originTimestamp).toBe(r.originTimestamp);
      expect(m.timestamp).toBe(stamps[i]);
      expect(m.headers.equals(Buffer.from(r.headers))).toBe(true);
      expect(m.payload.equals(Buffer.from(r.payload))).toBe(true);
    });
  });
});
