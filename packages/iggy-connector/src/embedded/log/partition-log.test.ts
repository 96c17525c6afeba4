import { readdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes } from '@rustok/core';
import { makeTempDir } from '@rustok/testkit';
import { describe, expect, it } from 'vitest';
import { PowerLossFileLayer } from '../fs/power-loss-file-layer';
import { makeRecord, sameRecord, testLogOptions } from '../testing/log-fixtures';
import { ManualClock } from '../testing/manual-clock';
import { SerialQueue } from '../serial-queue';
import { openPartitionLog } from './partition-log';
import type { AppendRecord, FileLayer, PartitionLog, StoredRecord } from './types';

/** Reads every record from the start. */
async function readAll(log: PartitionLog, batch = 100): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  let from = log.firstOffset;
  for (;;) {
    const got = await log.read(from, batch);
    if (got.length === 0) return out;
    out.push(...got);
    from = (got[got.length - 1] as StoredRecord).offset + 1n;
  }
}

/** Appends `count` records in batches of `batch`, returning what was appended. */
async function appendMany(log: PartitionLog, start: number, count: number, batch = 7): Promise<AppendRecord[]> {
  const all: AppendRecord[] = [];
  for (let i = 0; i < count; i += batch) {
    const records = Array.from({ length: Math.min(batch, count - i) }, (_, k) => makeRecord(start + i + k));
    const { baseOffset } = await log.append(records);
    expect(baseOffset).toBe(BigInt(start + i));
    all.push(...records);
  }
  return all;
}

describe('partition log', () => {
  it('starts empty', async () => {
    await using tmp = await makeTempDir();
    const log = await openPartitionLog(join(tmp.path, 'p0'), testLogOptions());
    expect(log.nextOffset).toBe(0n);
    expect(log.firstOffset).toBe(0n);
    expect(await log.read(0n, 10)).toEqual([]);
    expect(await log.offsetForTimestamp(0n)).toBeNull();
    expect(log.segments()).toEqual([
      expect.objectContaining({ baseOffset: 0n, lastOffset: -1n, sizeBytes: 0, maxTimestamp: null, closed: false }),
    ]);
    expect(log.sizeBytes()).toBe(0);
    expect(log.problems()).toEqual([]);
    await log.close();
    expect((await readdir(join(tmp.path, 'p0'))).sort()).toEqual([
      '00000000000000000000.index',
      '00000000000000000000.log',
      '00000000000000000000.timeindex',
    ]);
  });

  it('appends and reads back every field, with one timestamp per append', async () => {
    await using tmp = await makeTempDir();
    const clock = new ManualClock();
    const log = await openPartitionLog(tmp.path, testLogOptions({ clock }));
    const first = [makeRecord(0, 0, 0), makeRecord(1, 100, 0), makeRecord(2, 5, 9)];
    const r1 = await log.append(first);
    clock.advance(5);
    const r2 = await log.append([makeRecord(3, 1)]);
    expect(r1).toEqual({ baseOffset: 0n, timestamp: BigInt(clock.nowMs() - 5) * 1000n });
    expect(r2.baseOffset).toBe(3n);
    expect(r2.timestamp).toBeGreaterThan(r1.timestamp);
    const got = await log.read(0n, 10);
    expect(got.map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n]);
    expect(got.map((r) => r.timestamp)).toEqual([r1.timestamp, r1.timestamp, r1.timestamp, r2.timestamp]);
    for (let i = 0; i < 3; i++) expect(sameRecord(got[i] as StoredRecord, first[i] as AppendRecord)).toBe(true);
    expect((got[0] as StoredRecord).payload.length).toBe(0);
    expect(log.nextOffset).toBe(4n);
    await log.close();
  });

  it('stores a string payload as its UTF-8 bytes, with or without a measured length', async () => {
    await using tmp = await makeTempDir();
    const log = await openPartitionLog(tmp.path, testLogOptions());
    const texts = ['{"a":1}', 'naïve — ✓ 𝄞', 'x'.repeat(5000)];
    const records: AppendRecord[] = texts.map((text, i) => ({
      ...makeRecord(i),
      payload: text,
      ...(i === 1 ? { payloadBytes: Buffer.byteLength(text) } : {}),
    }));
    await log.append([makeRecord(9, 3), ...records]);
    const got = await log.read(0n, 10);
    expect(got.map((r) => Buffer.from(r.payload).toString('utf8')).slice(1)).toEqual(texts);
    expect(got.map((r) => r.payload.length).slice(1)).toEqual(texts.map((t) => Buffer.byteLength(t)));
    await log.close();
  });

  it('keeps timestamps monotonic when the clock goes back', async () => {
    await using tmp = await makeTempDir();
    const clock = new ManualClock();
    const log = await openPartitionLog(tmp.path, testLogOptions({ clock }));
    const a = await log.append([makeRecord(0)]);
    await log.close();
    const earlier = new ManualClock(clock.nowMs() - 60_000);
    const reopened = await openPartitionLog(tmp.path, testLogOptions({ clock: earlier }));
    const b = await reopened.append([makeRecord(1)]);
    expect(b.timestamp).toBeGreaterThanOrEqual(a.timestamp);
    await reopened.close();
  });

  it('reads past the end as empty, clamps below the start, honours maxCount and maxBytes', async () => {
    await using tmp = await makeTempDir();
    const log = await openPartitionLog(tmp.path, testLogOptions());
    await appendMany(log, 0, 20);
    expect(await log.read(20n, 5)).toEqual([]);
    expect(await log.read(1000n, 5)).toEqual([]);
    expect((await log.read(-5n, 2)).map((r) => r.offset)).toEqual([0n, 1n]);
    expect((await log.read(5n, 3)).map((r) => r.offset)).toEqual([5n, 6n, 7n]);
    expect(await log.read(5n, 0)).toEqual([]);
    // maxBytes smaller than one record still returns one record.
    expect((await log.read(5n, 10, 1)).map((r) => r.offset)).toEqual([5n]);
    const three = await log.read(0n, 100);
    const size = (r: StoredRecord) => 32 + r.payload.length + r.headers.length;
    const budget = size(three[0] as StoredRecord) + size(three[1] as StoredRecord) + size(three[2] as StoredRecord);
    expect((await log.read(0n, 100, budget)).map((r) => r.offset)).toEqual([0n, 1n, 2n]);
    await expect(log.read(0n, -1)).rejects.toThrow(expect.objectContaining({ code: ErrorCodes.VALIDATION }));
    await log.close();
  });

  it('rolls segments by size and reads across them, by offset and by timestamp', async () => {
    await using tmp = await makeTempDir();
    const clock = new ManualClock();
    const log = await openPartitionLog(tmp.path, testLogOptions({ clock, segmentBytes: 1024, indexIntervalBytes: 200 }));
    const appended: AppendRecord[] = [];
    const stamps: bigint[] = [];
    for (let i = 0; i < 60; i += 3) {
      clock.advance(10);
      const records = [makeRecord(i), makeRecord(i + 1), makeRecord(i + 2)];
      const { timestamp } = await log.append(records);
      appended.push(...records);
      stamps.push(timestamp);
    }
    const segments = log.segments();
    expect(segments.length).toBeGreaterThan(5);
    expect(segments.slice(0, -1).every((s) => s.closed)).toBe(true);
    expect((segments[segments.length - 1] as { closed: boolean }).closed).toBe(false);
    for (let i = 1; i < segments.length; i++) {
      expect(segments[i]?.baseOffset).toBe((segments[i - 1]?.lastOffset ?? 0n) + 1n);
    }
    expect(log.sizeBytes()).toBe(segments.reduce((n, s) => n + s.sizeBytes, 0));
    const all = await readAll(log, 7);
    expect(all).toHaveLength(60);
    all.forEach((r, i) => {
      expect(r.offset).toBe(BigInt(i));
      expect(sameRecord(r, appended[i] as AppendRecord)).toBe(true);
    });
    // Every single offset is reachable directly (sparse index + scan).
    for (let i = 0; i < 60; i++) expect((await log.read(BigInt(i), 1))[0]?.offset).toBe(BigInt(i));
    // Timestamps: each append's timestamp maps to its first offset; between appends to the next.
    for (let b = 0; b < stamps.length; b++) {
      expect(await log.offsetForTimestamp(stamps[b] as bigint)).toBe(BigInt(b * 3));
      expect(await log.offsetForTimestamp((stamps[b] as bigint) - 1n)).toBe(BigInt(b * 3));
    }
    expect(await log.offsetForTimestamp(0n)).toBe(0n);
    expect(await log.offsetForTimestamp((stamps[stamps.length - 1] as bigint) + 1n)).toBeNull();
    await log.close();

    // Reopen: same content, appends continue.
    const reopened = await openPartitionLog(tmp.path, testLogOptions({ clock, segmentBytes: 1024, indexIntervalBytes: 200 }));
    expect(reopened.nextOffset).toBe(60n);
    expect(reopened.segments()).toEqual(segments);
    expect(await reopened.offsetForTimestamp(stamps[4] as bigint)).toBe(12n);
    await appendMany(reopened, 60, 10);
    expect((await readAll(reopened)).map((r) => r.offset)).toEqual(Array.from({ length: 70 }, (_, i) => BigInt(i)));
    await reopened.close();
  });

  it('rolls by age only when the active segment is old and not empty', async () => {
    await using tmp = await makeTempDir();
    const clock = new ManualClock();
    const log = await openPartitionLog(tmp.path, testLogOptions({ clock, segmentMaxAgeMs: 1000 }));
    clock.advance(5000);
    await log.maybeRoll();
    expect(log.segments()).toHaveLength(1);
    await log.append([makeRecord(0)]);
    clock.advance(999);
    await log.maybeRoll();
    expect(log.segments()).toHaveLength(1);
    clock.advance(1);
    await log.maybeRoll();
    expect(log.segments().map((s) => [s.baseOffset, s.closed])).toEqual([
      [0n, true],
      [1n, false],
    ]);
    await log.maybeRoll();
    expect(log.segments()).toHaveLength(2);
    await log.append([makeRecord(1)]);
    expect((await log.read(0n, 10)).map((r) => r.offset)).toEqual([0n, 1n]);
    await log.close();
  });

  it('deletes whole closed segments below an offset, never the active one', async () => {
    await using tmp = await makeTempDir();
    const log = await openPartitionLog(tmp.path, testLogOptions({ segmentBytes: 300 }));
    await appendMany(log, 0, 12, 2);
    const segments = log.segments();
    const second = segments[1];
    expect(second).toBeDefined();
    // An offset inside segment 1 deletes only segment 0.
    expect(await log.deleteSegmentsBefore((second?.baseOffset ?? 0n) + 1n)).toBe(1);
    expect(log.firstOffset).toBe(second?.baseOffset);
    expect((await log.read(0n, 1))[0]?.offset).toBe(second?.baseOffset);
    expect(await log.deleteSegmentsBefore(10_000n)).toBe(segments.length - 2);
    expect(log.segments()).toHaveLength(1);
    expect(log.nextOffset).toBe(12n);
    await log.close();
    const files = await readdir(tmp.path);
    expect(files.filter((f) => f.endsWith('.log'))).toHaveLength(1);
  });

  it('notifies onAppend listeners and stops after unsubscribe', async () => {
    await using tmp = await makeTempDir();
    const log = await openPartitionLog(tmp.path, testLogOptions());
    let calls = 0;
    const off = log.onAppend(() => {
      calls++;
    });
    await log.append([makeRecord(0)]);
    await log.append([makeRecord(1)]);
    off();
    await log.append([makeRecord(2)]);
    expect(calls).toBe(2);
    await log.close();
  });

  it('refuses work after close (CLOSED) and closes idempotently', async () => {
    await using tmp = await makeTempDir();
    const log = await openPartitionLog(tmp.path, testLogOptions({ fsync: 'interval', fsyncIntervalMs: 5 }));
    const pending = log.append([makeRecord(0)]);
    const closing = log.close();
    await expect(pending).resolves.toEqual(expect.objectContaining({ baseOffset: 0n }));
    await closing;
    await log.close();
    const closed = expect.objectContaining({ code: ErrorCodes.CLOSED });
    await expect(log.append([makeRecord(1)])).rejects.toThrow(closed);
    await expect(log.read(0n, 1)).rejects.toThrow(closed);
    const reopened = await openPartitionLog(tmp.path, testLogOptions());
    expect(reopened.nextOffset).toBe(1n);
    await reopened.close();
  });

  it('validates records and options', async () => {
    await using tmp = await makeTempDir();
    await expect(openPartitionLog(tmp.path, testLogOptions({ segmentBytes: 0 }))).rejects.toThrow(
      expect.objectContaining({ code: ErrorCodes.VALIDATION }),
    );
    const log = await openPartitionLog(tmp.path, testLogOptions());
    const bad = expect.objectContaining({ code: ErrorCodes.VALIDATION });
    await expect(log.append([])).rejects.toThrow(bad);
    await expect(log.append([{ ...makeRecord(0), id: -1n }])).rejects.toThrow(bad);
    await expect(log.append([{ ...makeRecord(0), id: 1n << 128n }])).rejects.toThrow(bad);
    await expect(log.append([{ ...makeRecord(0), originTimestamp: 1n << 64n }])).rejects.toThrow(bad);
    expect(log.nextOffset).toBe(0n);
    const max = { ...makeRecord(0), id: (1n << 128n) - 1n, originTimestamp: (1n << 64n) - 1n };
    await log.append([max]);
    expect(sameRecord((await log.read(0n, 1))[0] as StoredRecord, max)).toBe(true);
    await log.close();
  });

  it("'always' shares one fsync among concurrent appends (group commit)", async () => {
    const fs = new PowerLossFileLayer();
    const log = await openPartitionLog('/data/p0', testLogOptions({ fs, fsync: 'always' }));
    const logFile = '/data/p0/00000000000000000000.log';
    const before = fs.syncCounts.get(logFile) ?? 0;
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append([makeRecord(i)])));
    const syncs = (fs.syncCounts.get(logFile) ?? 0) - before;
    expect(syncs).toBeGreaterThanOrEqual(1);
    expect(syncs).toBeLessThan(10);
    expect(results.map((r) => r.baseOffset)).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i)));
    // Everything acknowledged is on stable storage.
    expect(fs.unsyncedBytes(logFile)).toBe(0);
    expect(log.nextOffset).toBe(50n);
    await log.close();
  });

  it("'always' makes records visible only once fsynced", async () => {
    const fs = new PowerLossFileLayer();
    const log = await openPartitionLog('/d', testLogOptions({ fs, fsync: 'always' }));
    let visibleAtSync = -1n;
    fs.onSync = () => {
      visibleAtSync = log.nextOffset;
    };
    await log.append([makeRecord(0), makeRecord(1)]);
    expect(visibleAtSync).toBe(0n);
    expect(log.nextOffset).toBe(2n);
    await log.close();
  });

  it("'interval' fsyncs dirty files on a timer", async () => {
    const fs = new PowerLossFileLayer();
    const log = await openPartitionLog('/d', testLogOptions({ fs, fsync: 'interval', fsyncIntervalMs: 5 }));
    await log.append([makeRecord(0)]);
    const logFile = '/d/00000000000000000000.log';
    expect(fs.unsyncedBytes(logFile)).toBeGreaterThan(0);
    const deadline = Date.now() + 5000;
    while (fs.unsyncedBytes(logFile) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(fs.unsyncedBytes(logFile)).toBe(0);
    expect(fs.unsyncedBytes('/d/00000000000000000000.index')).toBe(0);
    await log.close();
  });
});

describe("partition logs sharing a sync lane under 'interval'", () => {
  it('fsync one log at a time, and still make every log durable', async () => {
    const fs = new PowerLossFileLayer();
    const syncLane = new SerialQueue();
    let running = 0;
    let most = 0;
    fs.onSync = (_path, phase) => {
      running += phase === 'start' ? 1 : -1;
      most = Math.max(most, running);
    };
    const logs = await Promise.all(
      [0, 1, 2, 3].map((p) => openPartitionLog(`/d/p${p}`, testLogOptions({ fs, fsync: 'interval', fsyncIntervalMs: 5, syncLane }))),
    );
    await Promise.all(logs.map((log, p) => log.append([makeRecord(p)])));
    const files = [0, 1, 2, 3].map((p) => `/d/p${p}/00000000000000000000.log`);
    const deadline = Date.now() + 5000;
    while (files.some((f) => fs.unsyncedBytes(f) > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    for (const f of files) expect(fs.unsyncedBytes(f)).toBe(0);
    // One log's round syncs its log and two index files together; never two logs at once.
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
    await Promise.all(logs.map((log) => log.close()));
  });
});

describe("partition log under fsync 'always'", () => {
  it('reads stop at the visible end while an fsync is pending, even across a roll', async () => {
    const inner = new PowerLossFileLayer();
    // Holds the first fsync of segment 1's log until released.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = false;
    const seg1 = '/d/00000000000000000002.log';
    const fs: FileLayer = Object.assign(Object.create(inner) as PowerLossFileLayer, {
      async open(path: string, mode: 'r' | 'r+' | 'w+' | 'a+') {
        const handle = await inner.open(path, mode);
        if (path !== seg1) return handle;
        return {
          ...handle,
          read: handle.read,
          write: handle.write,
          sync: async () => {
            if (!held) {
              held = true;
              await gate;
            }
            await handle.sync();
          },
        };
      },
    });
    // segmentBytes 1: every append to a non-empty segment rolls first.
    const log = await openPartitionLog('/d', testLogOptions({ fs, fsync: 'always', segmentBytes: 1 }));
    await log.append([makeRecord(0), makeRecord(1)]);
    const b = log.append([makeRecord(2)]); // segment 1; its fsync is held
    await new Promise((resolve) => setTimeout(resolve, 20));
    const c = log.append([makeRecord(3)]); // rolls segment 1 (that fsync passes), segment 2
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log.segments().map((s) => s.baseOffset)).toEqual([0n, 2n, 3n]);
    expect(log.nextOffset).toBe(2n);
    expect((await log.read(0n, 10)).map((r) => r.offset)).toEqual([0n, 1n]);
    expect(await log.read(2n, 10)).toEqual([]);
    release();
    await Promise.all([b, c]);
    expect((await log.read(0n, 10)).map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n]);
    await log.close();
  });
});

describe('record batches', () => {
  it('splits a large append into batches and reads any offset inside them', async () => {
    await using tmp = await makeTempDir();
    const clock = new ManualClock();
    const options = testLogOptions({ clock, maxBatchBytes: 600, indexIntervalBytes: 1000 });
    const log = await openPartitionLog(tmp.path, options);
    const first = Array.from({ length: 40 }, (_, i) => makeRecord(i));
    clock.advance(7);
    const a = await log.append(first);
    clock.advance(7);
    const b = await log.append([makeRecord(40), makeRecord(41)]);
    const all = [...first, makeRecord(40), makeRecord(41)];
    const segment = log.segments()[0];
    // 40 records of ~100 bytes do not fit one 600-byte batch: several batches, one write.
    expect(segment?.sizeBytes).toBeGreaterThan(4 * 600);
    for (let i = 0; i < all.length; i++) {
      const [record] = await log.read(BigInt(i), 1);
      expect(record?.offset).toBe(BigInt(i));
      expect(sameRecord(record as StoredRecord, all[i] as AppendRecord)).toBe(true);
      expect(record?.timestamp).toBe(i < 40 ? a.timestamp : b.timestamp);
    }
    // Reads starting inside a batch, with small counts, stitched together.
    expect((await readAll(log, 3)).map((r) => r.offset)).toEqual(all.map((_, i) => BigInt(i)));
    expect(await log.offsetForTimestamp(a.timestamp + 1n)).toBe(40n);
    await log.close();
    const reopened = await openPartitionLog(tmp.path, options);
    expect(reopened.nextOffset).toBe(42n);
    expect(reopened.segments()).toEqual(log.segments());
    expect((await reopened.read(17n, 2)).map((r) => r.offset)).toEqual([17n, 18n]);
    await reopened.close();
  });

  it('after a crash mid-append keeps the whole batches written before the torn one', async () => {
    await using tmp = await makeTempDir();
    const options = testLogOptions({ maxBatchBytes: 600 });
    const log = await openPartitionLog(tmp.path, options);
    await log.append([makeRecord(0)]);
    const before = log.segments()[0]?.sizeBytes ?? 0;
    await log.append(Array.from({ length: 20 }, (_, i) => makeRecord(1 + i)));
    await log.close();
    // Tear the append inside its second batch (as a crash during the write would).
    const file = join(tmp.path, '00000000000000000000.log');
    const bytes = await readFile(file);
    const firstBatch = bytes.readUInt32LE(before + 4);
    const firstCount = bytes.readUInt32LE(before + 12);
    await truncate(file, before + firstBatch + 50);
    const reopened = await openPartitionLog(tmp.path, options);
    expect(reopened.problems()).toEqual([]);
    expect(reopened.nextOffset).toBe(BigInt(1 + firstCount));
    expect((await reopened.read(0n, 100)).map((r) => r.offset)).toEqual(
      Array.from({ length: 1 + firstCount }, (_, i) => BigInt(i)),
    );
    await reopened.close();
  });
});
