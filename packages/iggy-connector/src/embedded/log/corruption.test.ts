import { appendFile, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes } from '@rustok/core';
import { makeTempDir } from '@rustok/testkit';
import { describe, expect, it } from 'vitest';
import { makeRecord, sameRecord, testLogOptions } from '../testing/log-fixtures';
import { openPartitionLog } from './partition-log';
import type { AppendRecord, LogProblem, PartitionLog, PartitionLogOptions, StoredRecord } from './types';

const STEM = '00000000000000000000';

/** Opens a log in `dir`, appends `count` records in batches of 3, closes it. */
async function seed(dir: string, count: number, options: Partial<PartitionLogOptions> = {}): Promise<AppendRecord[]> {
  const log = await openPartitionLog(dir, testLogOptions(options));
  const records: AppendRecord[] = [];
  for (let i = 0; i < count; i += 3) {
    const batch = Array.from({ length: Math.min(3, count - i) }, (_, k) => makeRecord(i + k));
    await log.append(batch);
    records.push(...batch);
  }
  await log.close();
  return records;
}

/** Reads everything and checks it equals `expected` (offsets 0..n-1). */
async function expectContent(log: PartitionLog, expected: readonly AppendRecord[]): Promise<void> {
  const got = await log.read(0n, expected.length + 10);
  expect(got.map((r) => r.offset)).toEqual(expected.map((_, i) => BigInt(i)));
  got.forEach((r, i) => {
    expect(sameRecord(r, expected[i] as AppendRecord)).toBe(true);
  });
}

describe('recovery', () => {
  it('truncates garbage appended to the tail of the active segment', async () => {
    await using tmp = await makeTempDir();
    const records = await seed(tmp.path, 10);
    const file = join(tmp.path, `${STEM}.log`);
    const size = (await stat(file)).size;
    await appendFile(file, Buffer.from('this is not a record, just garbage after a crash'));
    const log = await openPartitionLog(tmp.path, testLogOptions());
    expect((await stat(file)).size).toBe(size);
    expect(log.problems()).toEqual([]);
    await expectContent(log, records);
    await log.append([makeRecord(10)]);
    await expectContent(log, [...records, makeRecord(10)]);
    await log.close();
  });

  it('drops only a torn (truncated) last record', async () => {
    await using tmp = await makeTempDir();
    const records = await seed(tmp.path, 10);
    const file = join(tmp.path, `${STEM}.log`);
    const size = (await stat(file)).size;
    await truncate(file, size - 5);
    const log = await openPartitionLog(tmp.path, testLogOptions());
    expect(log.nextOffset).toBe(9n);
    await expectContent(log, records.slice(0, 9));
    // The freed offset is reused by the next append, exactly once.
    await log.append([makeRecord(99)]);
    expect((await log.read(9n, 5)).map((r) => r.offset)).toEqual([9n]);
    await log.close();
  });

  it('truncates a tail record with a bad checksum', async () => {
    await using tmp = await makeTempDir();
    const records = await seed(tmp.path, 10);
    const file = join(tmp.path, `${STEM}.log`);
    const bytes = await readFile(file);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0x40;
    await writeFile(file, bytes);
    const log = await openPartitionLog(tmp.path, testLogOptions());
    await expectContent(log, records.slice(0, 9));
    await log.close();
  });

  it('rebuilds deleted offset and time indexes identically, for active and closed segments', async () => {
    await using tmp = await makeTempDir();
    const opts = { segmentBytes: 2000, indexIntervalBytes: 150 };
    const records = await seed(tmp.path, 60, opts);
    const log0 = await openPartitionLog(tmp.path, testLogOptions(opts));
    const segments = log0.segments();
    const stamp = await log0.offsetForTimestamp(0n);
    await log0.close();
    expect(segments.length).toBeGreaterThan(2);
    const originals = new Map<string, Buffer>();
    for (const s of segments) {
      const stem = String(s.baseOffset).padStart(20, '0');
      for (const ext of ['index', 'timeindex']) {
        const path = join(tmp.path, `${stem}.${ext}`);
        originals.set(path, await readFile(path));
        await rm(path);
      }
    }
    const log = await openPartitionLog(tmp.path, testLogOptions(opts));
    for (const [path, content] of originals) expect((await readFile(path)).equals(content)).toBe(true);
    expect(log.segments()).toEqual(segments);
    await expectContent(log, records);
    expect(await log.offsetForTimestamp(0n)).toBe(stamp);
    await log.close();
  });

  it('completes a short index and drops index entries that point past the log', async () => {
    await using tmp = await makeTempDir();
    const opts = { indexIntervalBytes: 100 };
    const records = await seed(tmp.path, 30, opts);
    const index = join(tmp.path, `${STEM}.index`);
    const timeIndex = join(tmp.path, `${STEM}.timeindex`);
    const original = await readFile(index);
    const originalTime = await readFile(timeIndex);
    expect(original.length).toBeGreaterThan(24);
    await truncate(index, 19); // two whole entries and a torn one
    let log = await openPartitionLog(tmp.path, testLogOptions(opts));
    expect((await readFile(index)).equals(original)).toBe(true);
    await expectContent(log, records);
    await log.close();
    // An index entry beyond the end of the log (the log lost its tail, the index did not).
    const logFile = join(tmp.path, `${STEM}.log`);
    const lastEntryPos = original.readUInt32LE(original.length - 4);
    await truncate(logFile, lastEntryPos);
    log = await openPartitionLog(tmp.path, testLogOptions(opts));
    expect((await readFile(index)).equals(original.subarray(0, original.length - 8))).toBe(true);
    expect((await readFile(timeIndex)).equals(originalTime.subarray(0, originalTime.length - 12))).toBe(true);
    const kept = Number(log.nextOffset);
    expect(kept).toBeLessThan(30);
    await expectContent(log, records.slice(0, kept));
    await log.close();
  });
});

describe('corruption in a closed segment', () => {
  /** Seeds three+ segments and flips a payload byte of record `target`. */
  async function corrupt(dir: string, target: number) {
    const opts = { segmentBytes: 1500, indexIntervalBytes: 200 };
    const records = await seed(dir, 60, opts);
    return { records, ...(await corruptAgain(dir, target, opts)) };
  }

  it('surfaces a flipped byte as CORRUPT_RECORD on read, with file, position and offset', async () => {
    await using tmp = await makeTempDir();
    const { records, file, position, opts } = await corrupt(tmp.path, 7);
    const seen: LogProblem[] = [];
    const log = await openPartitionLog(tmp.path, testLogOptions({ ...opts, onCorruption: (p) => seen.push(p) }));
    // Cheap open: the middle of a closed segment is not scanned.
    expect(log.problems()).toEqual([]);
    // Records before it are fine; a read spanning it returns the valid prefix.
    const prefix = await log.read(0n, 50);
    expect(prefix.map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n]);
    const error = await log.read(7n, 10).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCodes.CORRUPT_RECORD, details: { file, position, offset: 7 } });
    await expect(log.read(5n, 10)).resolves.toHaveLength(2);
    await expect(log.read(7n, 1)).rejects.toThrow(expect.objectContaining({ code: ErrorCodes.CORRUPT_RECORD }));
    expect(log.problems()).toEqual([
      expect.objectContaining({ code: 'CORRUPT_RECORD', details: { file, position, offset: 7 } }),
    ]);
    expect(seen).toHaveLength(1);
    // Later segments still read; appends still work.
    const later = await log.read(40n, 100);
    expect(later.map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(40 + i)));
    later.forEach((r, i) => {
      expect(sameRecord(r, records[40 + i] as AppendRecord)).toBe(true);
    });
    await log.append([makeRecord(60)]);
    await log.close();
  });

  it('finds damage in the tail of a closed segment at open, and keeps the bytes', async () => {
    await using tmp = await makeTempDir();
    const opts0 = { segmentBytes: 1500, indexIntervalBytes: 200 };
    await seed(tmp.path, 60, opts0);
    const probe = await openPartitionLog(tmp.path, testLogOptions(opts0));
    const first = probe.segments()[0];
    await probe.close();
    const last = Number(first?.lastOffset);
    const { file, position, opts } = await corruptAgain(tmp.path, last, opts0);
    const log = await openPartitionLog(tmp.path, testLogOptions(opts));
    expect(log.problems()).toEqual([
      expect.objectContaining({ details: { file, position, offset: last } }),
    ]);
    expect((await readFile(file)).length).toBe(first?.sizeBytes);
    await expect(log.read(BigInt(last), 1)).rejects.toThrow(expect.objectContaining({ code: ErrorCodes.CORRUPT_RECORD }));
    await log.close();
  });

  it('reports (does not truncate) a bad record in the middle of the active segment', async () => {
    await using tmp = await makeTempDir();
    const records = await seed(tmp.path, 20);
    const file = join(tmp.path, `${STEM}.log`);
    const bytes = await readFile(file);
    let position = 0;
    for (let i = 0; i < 18; i++) position += bytes.readUInt32LE(position);
    bytes[position + 20] = (bytes[position + 20] as number) ^ 0x10;
    await writeFile(file, bytes);
    const log = await openPartitionLog(tmp.path, testLogOptions());
    expect(log.nextOffset).toBe(20n);
    expect(log.problems()).toEqual([expect.objectContaining({ details: { file, position, offset: 18 } })]);
    expect((await log.read(0n, 100)).length).toBe(18);
    await expect(log.read(18n, 1)).rejects.toThrow(expect.objectContaining({ code: ErrorCodes.CORRUPT_RECORD }));
    const last = (await log.read(19n, 1))[0] as StoredRecord;
    expect(sameRecord(last, records[19] as AppendRecord)).toBe(true);
    await log.close();
  });
});

/** Flips a payload byte of record `target` of an existing log (closed segment). */
async function corruptAgain(dir: string, target: number, opts: Partial<PartitionLogOptions>) {
  const probe = await openPartitionLog(dir, testLogOptions(opts));
  const segment = probe.segments().find((s) => s.baseOffset <= BigInt(target) && s.lastOffset >= BigInt(target));
  await probe.close();
  if (segment === undefined) throw new Error('no such record');
  const file = join(dir, `${String(segment.baseOffset).padStart(20, '0')}.log`);
  const bytes = await readFile(file);
  let position = 0;
  for (let offset = Number(segment.baseOffset); offset < target; offset++) position += bytes.readUInt32LE(position);
  bytes[position + 60] = (bytes[position + 60] as number) ^ 0x01;
  await writeFile(file, bytes);
  return { file, position, opts };
}

describe('missing offsets between segments', () => {
  it('reports a closed segment that lost its tail, and reads stop there', async () => {
    await using tmp = await makeTempDir();
    const opts = { segmentBytes: 1500, indexIntervalBytes: 200 };
    const records = await seed(tmp.path, 60, opts);
    const probe = await openPartitionLog(tmp.path, testLogOptions(opts));
    const first = probe.segments()[0];
    await probe.close();
    if (first === undefined) throw new Error('no segment');
    // Cut the last two records off the first (closed) segment, at a record boundary.
    const file = join(tmp.path, `${STEM}.log`);
    const bytes = await readFile(file);
    const count = Number(first.lastOffset) + 1;
    let keep = 0;
    for (let i = 0; i < count - 2; i++) keep += bytes.readUInt32LE(keep);
    await truncate(file, keep);
    const log = await openPartitionLog(tmp.path, testLogOptions(opts));
    expect(log.problems()).toEqual([
      expect.objectContaining({ details: { file, position: keep, offset: count - 2 } }),
    ]);
    const prefix = await log.read(0n, 100);
    expect(prefix.map((r) => r.offset)).toEqual(Array.from({ length: count - 2 }, (_, i) => BigInt(i)));
    await expect(log.read(BigInt(count - 2), 10)).rejects.toThrow(
      expect.objectContaining({ code: ErrorCodes.CORRUPT_RECORD, details: { file, position: keep, offset: count - 2 } }),
    );
    // Offsets after the gap read normally.
    const after = await log.read(BigInt(count), 5);
    expect(after[0] && sameRecord(after[0], records[count] as AppendRecord)).toBe(true);
    await log.close();
  });
});
