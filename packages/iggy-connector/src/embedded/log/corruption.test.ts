import { appendFile, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
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

  it('drops only a torn (truncated) last batch', async () => {
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

  it('truncates a tail batch with a bad checksum', async () => {
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
  /** Seeds three+ segments (batches of 3 records) and flips a payload byte of the batch holding `target`. */
  async function corrupt(dir: string, target: number) {
    const opts = { segmentBytes: 1500, indexIntervalBytes: 200 };
    const records = await seed(dir, 60, opts);
    return { records, ...(await corruptAgain(dir, target, opts)) };
  }

  it('surfaces a flipped byte as CORRUPT_RECORD on read, with file, position and first offset of the batch', async () => {
    await using tmp = await makeTempDir();
    const { records, file, position, offset, opts } = await corrupt(tmp.path, 7);
    // Record 7 is in the batch of records 6, 7, 8: the whole batch is bad.
    expect(offset).toBe(6);
    const seen: LogProblem[] = [];
    const log = await openPartitionLog(tmp.path, testLogOptions({ ...opts, onCorruption: (p) => seen.push(p) }));
    // Cheap open: the middle of a closed segment is not scanned.
    expect(log.problems()).toEqual([]);
    // Records before the batch are fine; a read spanning it returns the valid prefix.
    const prefix = await log.read(0n, 50);
    expect(prefix.map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    const error = await log.read(7n, 10).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCodes.CORRUPT_RECORD, details: { file, position, offset: 6 } });
    await expect(log.read(5n, 10)).resolves.toHaveLength(1);
    await expect(log.read(6n, 1)).rejects.toThrow(expect.objectContaining({ code: ErrorCodes.CORRUPT_RECORD }));
    await expect(log.read(8n, 1)).rejects.toThrow(expect.objectContaining({ code: ErrorCodes.CORRUPT_RECORD }));
    expect(log.problems()).toEqual([
      expect.objectContaining({ code: 'CORRUPT_RECORD', details: { file, position, offset: 6 } }),
    ]);
    expect(seen).toHaveLength(1);
    // The batch after it (same segment) and later segments still read; appends still work.
    expect((await log.read(9n, 3)).map((r) => r.offset)).toEqual([9n, 10n, 11n]);
    const later = await log.read(40n, 100);
    expect(later.map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(40 + i)));
    later.forEach((r, i) => {
      expect(sameRecord(r, records[40 + i] as AppendRecord)).toBe(true);
    });
    await log.append([makeRecord(60)]);
    await log.close();
  });

  it('reports a damaged batch header at its own batch; indexed batches after it still read', async () => {
    await using tmp = await makeTempDir();
    const opts = { segmentBytes: 1500, indexIntervalBytes: 200 };
    await seed(tmp.path, 60, opts);
    const file = join(tmp.path, `${STEM}.log`);
    const bytes = await readFile(file);
    const batch = batchesOf(bytes, 0)[2];
    if (batch === undefined) throw new Error('no batch');
    expect(batch.offset).toBe(6);
    bytes.writeUInt32LE(batch.count + 1, batch.position + 12); // the count field
    await writeFile(file, bytes);
    const log = await openPartitionLog(tmp.path, testLogOptions(opts));
    expect((await log.read(0n, 100)).map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    await expect(log.read(7n, 1)).rejects.toThrow(
      expect.objectContaining({ code: ErrorCodes.CORRUPT_RECORD, details: { file, position: batch.position, offset: 6 } }),
    );
    expect((await log.read(9n, 2)).map((r) => r.offset)).toEqual([9n, 10n]);
    expect(log.problems()).toHaveLength(1);
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
    const { file, position, offset, opts } = await corruptAgain(tmp.path, last, opts0);
    const log = await openPartitionLog(tmp.path, testLogOptions(opts));
    expect(log.problems()).toEqual([expect.objectContaining({ details: { file, position, offset } })]);
    expect((await readFile(file)).length).toBe(first?.sizeBytes);
    await expect(log.read(BigInt(last), 1)).rejects.toThrow(expect.objectContaining({ code: ErrorCodes.CORRUPT_RECORD }));
    await log.close();
  });

  it('reports (does not truncate) a bad batch in the middle of the active segment', async () => {
    await using tmp = await makeTempDir();
    const records = await seed(tmp.path, 20);
    // Batches: 0-2, 3-5, …, 15-17, 18-19. Damage 15-17; the batch after it is valid.
    const { file, position, offset } = await corruptAgain(tmp.path, 16, {});
    expect(offset).toBe(15);
    const log = await openPartitionLog(tmp.path, testLogOptions());
    expect(log.nextOffset).toBe(20n);
    expect(log.problems()).toEqual([expect.objectContaining({ details: { file, position, offset: 15 } })]);
    expect((await log.read(0n, 100)).length).toBe(15);
    await expect(log.read(15n, 1)).rejects.toThrow(expect.objectContaining({ code: ErrorCodes.CORRUPT_RECORD }));
    const tail = await log.read(18n, 5);
    expect(tail.map((r) => r.offset)).toEqual([18n, 19n]);
    expect(sameRecord(tail[0] as StoredRecord, records[18] as AppendRecord)).toBe(true);
    await log.close();
  });
});

/** Positions, first offsets and record counts of the batches of a segment file (format §2). */
function batchesOf(bytes: Buffer, baseOffset: number): { position: number; offset: number; count: number }[] {
  const out: { position: number; offset: number; count: number }[] = [];
  for (let position = 0; position < bytes.length; position += bytes.readUInt32LE(position + 4)) {
    const count = bytes.readUInt32LE(position + 12);
    const offset = Number(bytes.readBigUInt64LE(position + 16));
    expect(offset).toBe(out.length === 0 ? baseOffset : (out.at(-1)?.offset ?? 0) + (out.at(-1)?.count ?? 0));
    out.push({ position, offset, count });
  }
  return out;
}

/** Flips a byte of the first message's data in the batch holding record `target` of an existing log. */
async function corruptAgain(dir: string, target: number, opts: Partial<PartitionLogOptions>) {
  const probe = await openPartitionLog(dir, testLogOptions(opts));
  const segment = probe.segments().find((s) => s.baseOffset <= BigInt(target) && s.lastOffset >= BigInt(target));
  await probe.close();
  if (segment === undefined) throw new Error('no such record');
  const file = join(dir, `${String(segment.baseOffset).padStart(20, '0')}.log`);
  const bytes = await readFile(file);
  const batch = batchesOf(bytes, Number(segment.baseOffset)).find((b) => b.offset <= target && target < b.offset + b.count);
  if (batch === undefined) throw new Error('no batch holds the record');
  const at = batch.position + 40 + 32 * batch.count + 1;
  bytes[at] = (bytes[at] as number) ^ 0x01;
  await writeFile(file, bytes);
  return { file, position: batch.position, offset: batch.offset, opts };
}

describe('an unreadable format', () => {
  it('refuses a log written in format 1 instead of truncating it as a torn tail', async () => {
    await using tmp = await makeTempDir();
    // One format-1 record: length, offset, timestamp, origin, id (u128), h, p, payload, crc.
    const payload = Buffer.from('old');
    const record = Buffer.alloc(56 + payload.length);
    record.writeUInt32LE(record.length, 0);
    record.writeBigUInt64LE(0n, 4);
    record.writeBigUInt64LE(1_700_000_000_000_000n, 12);
    record.writeUInt32LE(payload.length, 48);
    payload.copy(record, 52);
    record.writeUInt32LE(crc32(record.subarray(0, record.length - 4), 0x2144df1c), record.length - 4);
    const file = join(tmp.path, `${STEM}.log`);
    await writeFile(file, Buffer.concat([record, record]));
    const error = await openPartitionLog(tmp.path, testLogOptions()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCodes.STORAGE, message: expect.stringMatching(/format 1/) });
    expect((await stat(file)).size).toBe(2 * record.length);
  });
});

describe('missing offsets between segments', () => {
  it('reports a closed segment that lost its tail, and reads stop there', async () => {
    await using tmp = await makeTempDir();
    const opts = { segmentBytes: 1500, indexIntervalBytes: 200 };
    const records = await seed(tmp.path, 60, opts);
    const probe = await openPartitionLog(tmp.path, testLogOptions(opts));
    const first = probe.segments()[0];
    await probe.close();
    if (first === undefined) throw new Error('no segment');
    // Cut the last batch off the first (closed) segment, at a batch boundary.
    const file = join(tmp.path, `${STEM}.log`);
    const bytes = await readFile(file);
    const count = Number(first.lastOffset) + 1;
    const lastBatch = batchesOf(bytes, 0).at(-1);
    if (lastBatch === undefined) throw new Error('no batch');
    const keep = lastBatch.position;
    const lost = lastBatch.offset;
    expect(lost).toBeLessThan(count);
    await truncate(file, keep);
    const log = await openPartitionLog(tmp.path, testLogOptions(opts));
    expect(log.problems()).toEqual([expect.objectContaining({ details: { file, position: keep, offset: lost } })]);
    const prefix = await log.read(0n, 100);
    expect(prefix.map((r) => r.offset)).toEqual(Array.from({ length: lost }, (_, i) => BigInt(i)));
    await expect(log.read(BigInt(lost), 10)).rejects.toThrow(
      expect.objectContaining({ code: ErrorCodes.CORRUPT_RECORD, details: { file, position: keep, offset: lost } }),
    );
    // Offsets after the gap read normally.
    const after = await log.read(BigInt(count), 5);
    expect(after[0] && sameRecord(after[0], records[count] as AppendRecord)).toBe(true);
    await log.close();
  });
});
