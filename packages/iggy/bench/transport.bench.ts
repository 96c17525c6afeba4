// Benchmark of `IggyTransport` on the embedded engine (fsync 'interval'), against baselines
// measured in the same run on the same machine:
//   - the raw embedded connector: the same encoded messages through `send` / `poll`, same batches;
//   - the floor: `JSON.stringify` of the same envelopes, length-prefixed, appended to one file
//     with plain `fs` calls under the same fsync policy.
// Prints throughput for JSON and Avro (payload Avro schema) at 256 B and 1 KiB payloads,
// publish-to-handler latency at 50 % of the measured maximum publish rate (open loop), and a
// PASS/FAIL table of the targets. Run from the repo root: `node scripts/bench.mjs transport`.
// Environment: RUSTOK_BENCH_REPEATS (best of N, default 2), RUSTOK_BENCH_SCALE (event counts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEnvelope } from '@rustok/core';
import type { CodecName } from '../src/codec/types';
import { floorAppend } from './support/floor';
import { type LatencyResult, measureLatency } from './support/latency';
import { openRawConnector, rawPollAll, rawSendAll, rawSends } from './support/raw-connector';
import { fmt, ms, pct, printTable } from './support/report';
import { consumeAll, openTransport, publishBatches, publishInFlight } from './support/transport-runs';
import { makeEnvelopes, meanSizes } from './support/workload';

const FSYNC_INTERVAL_MS = 1000;
const BATCH = 1000;
const IN_FLIGHT = 1000;
/** The consumer's default `pollBatchSize`: raw polls read the same number per call. */
const POLL_COUNT = 100;
const REPEATS = Math.max(1, Number(process.env.RUSTOK_BENCH_REPEATS ?? '2'));
const SCALE = Math.max(0.05, Number(process.env.RUSTOK_BENCH_SCALE ?? '1'));
const CODECS: readonly CodecName[] = ['json', 'avro'];
const SIZES = [
  { label: '256 B', bytes: 256, count: Math.round((60_000 * SCALE) / BATCH) * BATCH },
  { label: '1 KiB', bytes: 1024, count: Math.round((30_000 * SCALE) / BATCH) * BATCH },
] as const;
const LATENCY = { warmupMs: 1000, durationMs: 4000 };

/** Msgs/s of every measured workload, by key `<codec> <size> <what>` or `floor <size>`. */
const rates = new Map<string, number>();

let root = '';
let dirNo = 0;
/** A fresh directory under the run's temp root. */
function freshDir(): string {
  dirNo += 1;
  return join(root, `run-${dirNo}`);
}

function progress(): void {
  process.stderr.write('.');
}

async function best(run: () => Promise<number>): Promise<number> {
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < REPEATS; r++) min = Math.min(min, await run());
  return min;
}

async function measureFloor(label: string, envelopes: readonly EventEnvelope[]): Promise<void> {
  const elapsed = await best(async () => {
    const dir = freshDir();
    await mkdtempLike(dir);
    const t = await floorAppend(dir, envelopes, BATCH, FSYNC_INTERVAL_MS);
    await rm(dir, { recursive: true, force: true });
    return t;
  });
  rates.set(`floor ${label}`, (envelopes.length * 1000) / elapsed);
  progress();
}

async function mkdtempLike(dir: string): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
}

async function measureRaw(codec: CodecName, label: string, envelopes: readonly EventEnvelope[]): Promise<number> {
  const sends = rawSends(envelopes, codec, BATCH);
  let bytes = 0;
  for (const s of sends) for (const m of s.messages) bytes += m.payload.length;
  let sendMs = Number.POSITIVE_INFINITY;
  let pollMs = Number.POSITIVE_INFINITY;
  for (let r = 0; r < REPEATS; r++) {
    const dir = freshDir();
    const connector = await openRawConnector(dir, FSYNC_INTERVAL_MS);
    sendMs = Math.min(sendMs, await rawSendAll(connector, sends, BATCH));
    const polled = await rawPollAll(connector, POLL_COUNT);
    if (polled.messages !== envelopes.length) throw new Error(`raw poll read ${polled.messages} messages`);
    pollMs = Math.min(pollMs, polled.ms);
    await connector.close();
    await rm(dir, { recursive: true, force: true });
  }
  rates.set(`${codec} ${label} raw send`, (envelopes.length * 1000) / sendMs);
  rates.set(`${codec} ${label} raw poll`, (envelopes.length * 1000) / pollMs);
  progress();
  return bytes / envelopes.length;
}

async function measureTransport(codec: CodecName, label: string, envelopes: readonly EventEnvelope[]): Promise<void> {
  let batchMs = Number.POSITIVE_INFINITY;
  let consumeMs = Number.POSITIVE_INFINITY;
  let singleMs = Number.POSITIVE_INFINITY;
  for (let r = 0; r < REPEATS; r++) {
    const dir = freshDir();
    const transport = await openTransport(dir, codec, FSYNC_INTERVAL_MS);
    batchMs = Math.min(batchMs, await publishBatches(transport, envelopes, BATCH));
    consumeMs = Math.min(consumeMs, await consumeAll(transport, `bench-${r}`, envelopes.length));
    await transport.close();
    await rm(dir, { recursive: true, force: true });
    progress();
    const dir2 = freshDir();
    const transport2 = await openTransport(dir2, codec, FSYNC_INTERVAL_MS);
    singleMs = Math.min(singleMs, await publishInFlight(transport2, envelopes, IN_FLIGHT));
    await transport2.close();
    await rm(dir2, { recursive: true, force: true });
    progress();
  }
  rates.set(`${codec} ${label} publishBatch`, (envelopes.length * 1000) / batchMs);
  rates.set(`${codec} ${label} publish`, (envelopes.length * 1000) / singleMs);
  rates.set(`${codec} ${label} consume`, (envelopes.length * 1000) / consumeMs);
}

async function runLatency(envelopes: readonly EventEnvelope[], rate: number): Promise<LatencyResult> {
  const dir = freshDir();
  const transport = await openTransport(dir, 'json', FSYNC_INTERVAL_MS);
  try {
    return await measureLatency(transport, envelopes, { rate, ...LATENCY });
  } finally {
    await transport.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function rate(key: string): number {
  const value = rates.get(key);
  if (value === undefined) throw new Error(`no figure for ${key}`);
  return value;
}

async function main(): Promise<void> {
  const began = performance.now();
  root = await mkdtemp(join(tmpdir(), 'rustok-transport-bench-'));
  const sizes: { label: string; payload: number; envelope: number; encoded: Record<string, number> }[] = [];
  let latency: LatencyResult | undefined;
  let latencyPool: EventEnvelope[] = [];
  try {
    for (const size of SIZES) {
      const envelopes = makeEnvelopes(size.count, size.bytes);
      const mean = meanSizes(envelopes);
      const encoded: Record<string, number> = {};
      await measureFloor(size.label, envelopes);
      for (const codec of CODECS) {
        encoded[codec] = await measureRaw(codec, size.label, envelopes);
        await measureTransport(codec, size.label, envelopes);
      }
      sizes.push({ label: size.label, payload: mean.payload, envelope: mean.envelope, encoded });
      if (size.bytes === 256) latencyPool = envelopes.slice(0, 20_000);
    }
    latency = await runLatency(latencyPool, Math.round(rate('json 256 B publish') / 2));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  process.stderr.write('\n');

  console.log(
    `IggyTransport on the embedded engine, fsync 'interval' (${FSYNC_INTERVAL_MS} ms), 8 partitions, 64 tenants, ` +
      `registry with zod payload schema; best of ${REPEATS}.`,
  );
  for (const s of sizes) {
    console.log(
      `  ${s.label}: payload ${fmt(s.payload)} B as JSON, envelope ${fmt(s.envelope)} B as JSON; ` +
        `message bytes json ${fmt(s.encoded.json ?? 0)} B, avro ${fmt(s.encoded.avro ?? 0)} B`,
    );
  }
  console.log('');
  const rows: string[][] = [];
  for (const s of SIZES) {
    const floor = rate(`floor ${s.label}`);
    rows.push([`floor: JSON.stringify + framed fs append, ${s.label}`, fmt(floor), '', '']);
    for (const codec of CODECS) {
      const prefix = `${codec} ${s.label}`;
      const send = rate(`${prefix} raw send`);
      const poll = rate(`${prefix} raw poll`);
      rows.push([`${prefix} raw connector send (same batches)`, fmt(send), '', pct(send / floor)]);
      for (const [what, name] of [
        ['publishBatch', `publishBatch(${BATCH})`],
        ['publish', `publish() x${IN_FLIGHT} in flight`],
      ] as const) {
        const r = rate(`${prefix} ${what}`);
        rows.push([`${prefix} ${name}`, fmt(r), pct(r / send), pct(r / floor)]);
      }
      rows.push([`${prefix} raw connector poll (${POLL_COUNT}/poll)`, fmt(poll), '', '']);
      const c = rate(`${prefix} consume`);
      rows.push([`${prefix} subscribe: consume to handler`, fmt(c), pct(c / poll), '']);
    }
  }
  printTable(['workload', 'msgs/s', 'vs raw connector', 'vs floor'], rows);

  console.log('');
  if (latency) {
    console.log(
      `Latency publish() -> handler at ${fmt(latency.offeredPerSec)} msgs/s offered (50 % of max publish() rate), ` +
        `open loop, JSON 256 B, ${LATENCY.durationMs / 1000} s measured after ${LATENCY.warmupMs / 1000} s warm-up: ` +
        `${fmt(latency.measured)} of ${fmt(latency.scheduled)} events measured`,
    );
    console.log(
      `  p50 ${ms(latency.p50)}   p99 ${ms(latency.p99)}   p999 ${ms(latency.p999)}   max ${ms(latency.max)}`,
    );
    console.log('');
  }

  const targets: string[][] = [];
  for (const s of SIZES) {
    const floor = rate(`floor ${s.label}`);
    const batch = rate(`json ${s.label} publishBatch`) / floor;
    const single = rate(`json ${s.label} publish`) / floor;
    targets.push([`publishBatch(${BATCH}) JSON ${s.label} / floor`, '>= 50 %', pct(batch), batch >= 0.5 ? 'PASS' : 'FAIL']);
    targets.push([
      `publish() x${IN_FLIGHT} in flight JSON ${s.label} / floor`,
      '>= 35 %',
      pct(single),
      single >= 0.35 ? 'PASS' : 'FAIL',
    ]);
  }
  if (latency) {
    targets.push(['p99 publish -> handler at 50 % load', '< 5 ms', ms(latency.p99), latency.p99 < 5 ? 'PASS' : 'FAIL']);
  }
  for (const s of SIZES) {
    const json = rate(`json ${s.label} publishBatch`);
    const avro = rate(`avro ${s.label} publishBatch`);
    const jsonC = rate(`json ${s.label} consume`);
    const avroC = rate(`avro ${s.label} consume`);
    targets.push([
      `(info) Avro vs JSON ${s.label}: publishBatch / consume`,
      '> 100 %',
      `${pct(avro / json)} / ${pct(avroC / jsonC)}`,
      avro > json && avroC > jsonC ? 'yes' : 'no',
    ]);
  }
  printTable(['target', 'needs', 'measured', 'result'], targets);
  console.log(`\n(${((performance.now() - began) / 1000).toFixed(1)} s)`);
}

await main();
