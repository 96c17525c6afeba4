// Benchmark of the embedded storage engine against a plain-`fs` baseline measured in the same run.
// Run from the repo root: `node scripts/bench.mjs embedded` (or `node --import tsx <this file>`).
//
// Appends: our partition log vs. the same payloads framed with a 4-byte length prefix and
// written with plain fs calls in ~1 MiB chunks, under the same fsync policy. Reads: sequential
// read of the whole log vs. reading the baseline file back and slicing it into one
// `{ offset, payload }` object per record (payload as a Buffer view).
//
// Fairness notes. Payloads are generated before the timed region; both sides reuse one file
// handle and open/close outside it. The timed appends (64 MiB of payload) stay inside one
// segment (the log is opened with 256 MiB segments): rolling a segment fsyncs the closed one
// under 'interval' and 'always' (docs/embedded-format.md §4), an fsync the baseline never does,
// so the roll is measured on its own line instead. The baseline buffers across appends (one
// write per ~1 MiB), while each of our appends is written to the OS before it resolves.
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/embedded/clock';
import { nodeFileLayer } from '../src/embedded/fs/node-file-layer';
import { openPartitionLog } from '../src/embedded/log/partition-log';
import type { AppendRecord, FsyncPolicy, PartitionLog } from '../src/embedded/log/types';

const CHUNK = 1024 * 1024;
const INTERVAL_MS = 1000;
/** Segment size of the timed runs: larger than what one run writes, so no roll happens inside. */
const BENCH_SEGMENT_BYTES = 256 * 1024 * 1024;
/** The default segment size, used to measure one roll. */
const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const REPEATS = Number(process.env.RUSTOK_BENCH_REPEATS ?? '5');
/** Optional regular expression: only workloads whose name matches run. */
const FILTER = new RegExp(process.env.RUSTOK_BENCH_FILTER ?? '.');

interface Figure {
  msgsPerSec: number;
  mbPerSec: number;
}

interface Row {
  name: string;
  ours: Figure;
  base: Figure;
  /** Median over repetitions of (baseline time / our time) within the same repetition. */
  pairedRatio: number;
}

/** Median of a non-empty list. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Messages to write for one case: bounded by bytes, by count, and small for fsync-per-message. */
function messagesFor(payload: number, batch: number, policy: FsyncPolicy): number {
  if (policy === 'always' && batch === 1) return 300;
  if (batch === 1) return Math.min(20_000, Math.floor((16 * 1024 * 1024) / payload));
  if (policy === 'always') return Math.min(batch * 200, Math.floor((32 * 1024 * 1024) / payload));
  return Math.floor((64 * 1024 * 1024) / payload / batch) * batch;
}

function figure(messages: number, payload: number, ms: number): Figure {
  return { msgsPerSec: (messages * 1000) / ms, mbPerSec: (messages * payload * 1000) / ms / 1024 / 1024 };
}

async function openLog(dir: string, fsync: FsyncPolicy, segmentBytes = BENCH_SEGMENT_BYTES): Promise<PartitionLog> {
  return openPartitionLog(dir, {
    fsync,
    fsyncIntervalMs: INTERVAL_MS,
    segmentBytes,
    segmentMaxAgeMs: 3_600_000,
    clock: systemClock,
    fs: nodeFileLayer,
  });
}

/** An append record whose payload is bytes (what these runs append). */
type ByteRecord = AppendRecord & { payload: Uint8Array };

/** One batch of records reused for every append (payload generation is not measured). */
function makeBatch(payload: number, batch: number): ByteRecord[] {
  const headers = Buffer.alloc(0);
  return Array.from({ length: batch }, (_, i) => ({
    id: BigInt(`0x${randomBytes(16).toString('hex')}`),
    originTimestamp: 1_700_000_000_000_000n + BigInt(i),
    payload: randomBytes(payload),
    headers,
  }));
}

async function appendOurs(dir: string, policy: FsyncPolicy, records: AppendRecord[], messages: number): Promise<number> {
  const log = await openLog(dir, policy);
  const start = performance.now();
  for (let sent = 0; sent < messages; sent += records.length) await log.append(records);
  const ms = performance.now() - start;
  await log.close();
  return ms;
}

/** Baseline writer: length-prefixed payloads, ~1 MiB writes, same fsync policy. */
async function appendBaseline(file: string, policy: FsyncPolicy, records: ByteRecord[], messages: number): Promise<number> {
  const handle = await open(file, 'w');
  let chunk = Buffer.allocUnsafe(CHUNK);
  let used = 0;
  let position = 0;
  let dirty = false;
  let syncing: Promise<void> | null = null;
  const timer =
    policy === 'interval'
      ? setInterval(() => {
          if (!dirty || syncing) return;
          dirty = false;
          syncing = handle.sync().finally(() => {
            syncing = null;
          });
        }, INTERVAL_MS)
      : null;
  const flush = async () => {
    if (used === 0) return;
    await handle.write(chunk, 0, used, position);
    position += used;
    used = 0;
    dirty = true;
    if (policy === 'always') await handle.sync();
  };
  const start = performance.now();
  for (let sent = 0; sent < messages; sent += records.length) {
    for (const record of records) {
      const need = 4 + record.payload.length;
      if (used + need > chunk.length) {
        await flush();
        if (need > chunk.length) chunk = Buffer.allocUnsafe(need);
      }
      chunk.writeUInt32LE(record.payload.length, used);
      chunk.set(record.payload, used + 4);
      used += need;
    }
    // Durability per batch under 'always' (the same promise as ours); otherwise 1 MiB writes.
    if (policy === 'always') await flush();
  }
  await flush();
  const ms = performance.now() - start;
  if (timer) clearInterval(timer);
  await (syncing as Promise<void> | null);
  await handle.close();
  return ms;
}

async function readOurs(log: PartitionLog): Promise<{ ms: number; count: number }> {
  const start = performance.now();
  let count = 0;
  let checksum = 0;
  for (let from = 0n; ; ) {
    const got = await log.read(from, 1000);
    if (got.length === 0) break;
    count += got.length;
    checksum += got[0]?.payload.length ?? 0;
    from = (got[got.length - 1]?.offset ?? 0n) + 1n;
  }
  if (checksum < 0) console.log('unreachable');
  return { ms: performance.now() - start, count };
}

async function readBaseline(file: string): Promise<{ ms: number; count: number }> {
  const start = performance.now();
  const handle = await open(file, 'r');
  let carry = Buffer.alloc(0);
  let position = 0;
  let offset = 0;
  let batch: { offset: bigint; payload: Buffer }[] = [];
  let checksum = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(CHUNK + carry.length);
    carry.copy(buf, 0);
    const { bytesRead } = await handle.read(buf, carry.length, CHUNK, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const end = carry.length + bytesRead;
    let p = 0;
    batch = [];
    while (p + 4 <= end) {
      const length = buf.readUInt32LE(p);
      if (p + 4 + length > end) break;
      batch.push({ offset: BigInt(offset++), payload: buf.subarray(p + 4, p + 4 + length) });
      p += 4 + length;
    }
    checksum += batch[0]?.payload.length ?? 0;
    carry = Buffer.from(buf.subarray(p, end));
  }
  await handle.close();
  if (checksum < 0) console.log('unreachable');
  return { ms: performance.now() - start, count: offset };
}

/**
 * Appends 1 KiB records in batches of 1000 under 'interval' to a log with the default segment
 * size until it rolls; returns the duration of the append that rolled and the median append.
 */
async function measureRoll(dir: string): Promise<{ rollMs: number; medianMs: number; segmentMiB: number }> {
  const log = await openLog(dir, 'interval', DEFAULT_SEGMENT_BYTES);
  const records = makeBatch(1024, 1000);
  const times: number[] = [];
  let rollMs = 0;
  try {
    while (log.segments().length === 1) {
      const start = performance.now();
      await log.append(records);
      const ms = performance.now() - start;
      if (log.segments().length > 1) rollMs = ms;
      else times.push(ms);
    }
  } finally {
    await log.close();
  }
  times.sort((a, b) => a - b);
  const segmentMiB = (log.segments()[0]?.sizeBytes ?? 0) / 1024 / 1024;
  return { rollMs, medianMs: times[Math.floor(times.length / 2)] ?? 0, segmentMiB };
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'rustok-bench-'));
  const rows: Row[] = [];
  let roll: { rollMs: number; medianMs: number; segmentMiB: number } | null = null;
  const began = performance.now();
  try {
    let caseNo = 0;
    for (const policy of ['interval', 'never', 'always'] as FsyncPolicy[]) {
      for (const payload of [256, 1024]) {
        for (const batch of [1, 100, 1000]) {
          const name = `append ${payload === 1024 ? '1 KiB' : `${payload} B`} batch ${batch} fsync ${policy}`;
          if (!FILTER.test(name)) continue;
          const messages = messagesFor(payload, batch, policy);
          const records = makeBatch(payload, batch);
          let best = Number.POSITIVE_INFINITY;
          let bestBase = Number.POSITIVE_INFINITY;
          const pairs: number[] = [];
          const repeats = policy === 'always' && batch === 1 ? 1 : REPEATS;
          for (let r = 0; r < repeats; r++) {
            const dir = join(root, `case-${caseNo}-${r}`);
            const file = join(root, `base-${caseNo}-${r}.bin`);
            const baseMs = await appendBaseline(file, policy, records, messages);
            const oursMs = await appendOurs(dir, policy, records, messages);
            bestBase = Math.min(bestBase, baseMs);
            best = Math.min(best, oursMs);
            pairs.push(baseMs / oursMs);
            await rm(dir, { recursive: true, force: true });
            await rm(file, { force: true });
          }
          caseNo++;
          rows.push({
            name,
            ours: figure(messages, payload, best),
            base: figure(messages, payload, bestBase),
            pairedRatio: median(pairs),
          });
          process.stderr.write('.');
        }
      }
    }
    // Sequential reads: a log and a baseline file with the same records, both in the page cache.
    for (const payload of [256, 1024]) {
      const name = `sequential read ${payload === 1024 ? '1 KiB' : `${payload} B`}`;
      if (!FILTER.test(name)) continue;
      const records = makeBatch(payload, 1000);
      const messages = Math.floor((96 * 1024 * 1024) / payload / 1000) * 1000;
      const dir = join(root, `read-${payload}`);
      const file = join(root, `read-${payload}.bin`);
      await appendOurs(dir, 'never', records, messages);
      await appendBaseline(file, 'never', records, messages);
      const log = await openLog(dir, 'never');
      let best = Number.POSITIVE_INFINITY;
      let bestBase = Number.POSITIVE_INFINITY;
      const pairs: number[] = [];
      for (let r = 0; r < REPEATS + 1; r++) {
        const base = await readBaseline(file);
        const ours = await readOurs(log);
        if (ours.count !== messages || base.count !== messages) throw new Error('read count mismatch');
        bestBase = Math.min(bestBase, base.ms);
        best = Math.min(best, ours.ms);
        pairs.push(base.ms / ours.ms);
      }
      await log.close();
      rows.push({
        name,
        ours: figure(messages, payload, best),
        base: figure(messages, payload, bestBase),
        pairedRatio: median(pairs),
      });
      process.stderr.write('.');
    }
    if (FILTER.test('segment roll')) roll = await measureRoll(join(root, 'roll'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  process.stderr.write('\n');

  const header = ['workload', 'msgs/s', 'MB/s', 'baseline msgs/s', 'baseline MB/s', 'ratio', 'paired'];
  const table = rows.map((r) => [
    r.name,
    fmt(r.ours.msgsPerSec),
    fmt(r.ours.mbPerSec),
    fmt(r.base.msgsPerSec),
    fmt(r.base.mbPerSec),
    `${Math.round((r.ours.msgsPerSec / r.base.msgsPerSec) * 100)} %`,
    `${Math.round(r.pairedRatio * 100)} %`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of table) console.log(line(row));

  const find = (name: string) => rows.find((r) => r.name === name);
  const targets = [
    'append 256 B batch 1000 fsync interval',
    'append 1 KiB batch 1000 fsync interval',
    'sequential read 256 B',
    'sequential read 1 KiB',
  ];
  console.log('\nTargets (ratio to baseline ≥ 70 %; best of each side, and median of same-repetition pairs):');
  for (const name of targets) {
    const row = find(name);
    if (row === undefined) continue;
    const r = row.ours.msgsPerSec / row.base.msgsPerSec;
    const verdict = r >= 0.7 ? 'OK' : 'BELOW TARGET';
    console.log(`  ${name}: ${(r * 100).toFixed(1)} % ${verdict} (paired median ${(row.pairedRatio * 100).toFixed(1)} %)`);
  }
  if (roll !== null) {
    console.log(
      `\nSegment roll (fsync 'interval', ${roll.segmentMiB.toFixed(0)} MiB segment written at full speed, 1 KiB x 1000 appends):` +
        ` the append that rolled took ${roll.rollMs.toFixed(1)} ms (median append ${roll.medianMs.toFixed(2)} ms);` +
        ' it fsyncs the closed segment, which the timed runs above do not include.',
    );
  }
  console.log(
    `\n(${((performance.now() - began) / 1000).toFixed(1)} s; figures are the best of ${REPEATS} runs (reads: ${REPEATS + 1}) per side;` +
      ' "paired" is the median over runs of the ratio within one run, which a burst of load on the machine moves less)',
  );
}

await main();
