// Benchmark of `IggyTransport` on the embedded engine (fsync 'interval'), against baselines
// measured in the same run on the same machine:
//   - the raw embedded connector: the same encoded messages through `send` / `poll`, same batches;
//   - the floor: `JSON.stringify` of the same envelopes, length-prefixed, appended to one file
//     with plain `fs` calls under the same fsync policy.
// Prints throughput for JSON and Avro (payload Avro schema) at 256 B and 1 KiB payloads, the
// per-message cost of each stage, publish-to-handler latency at 50 % of the measured maximum
// publish rate (open loop), and a PASS/FAIL table of the targets.
// Run from the repo root: `node scripts/bench.mjs transport`.
// Environment: RUSTOK_BENCH_REPEATS (best of N, default 2), RUSTOK_BENCH_SCALE (event counts).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEnvelope } from '@rustok/core';
import type { CodecName } from '../src/codec/types';
import type { IggyTransport } from '../src/index';
import { measureStages, type StageCost } from './support/breakdown';
import { floorAppend } from './support/floor';
import { type LatencyResult, measureLatency } from './support/latency';
import { openRawConnector, rawPollAll, rawSendAll, rawSends } from './support/raw-connector';
import { fmt, ms, pct, printTable } from './support/report';
import {
  consumeAll,
  openTransport,
  publishBatches,
  publishInFlight,
  publishWhileConsuming,
} from './support/transport-runs';
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
  { label: '256 B', bytes: 256, count: Math.max(1, Math.round((60_000 * SCALE) / BATCH)) * BATCH },
  { label: '1 KiB', bytes: 1024, count: Math.max(1, Math.round((30_000 * SCALE) / BATCH)) * BATCH },
] as const;
const LATENCY = { warmupMs: 1000, durationMs: 4000 };

/** Msgs/s of every measured workload, by key `<codec> <size> <what>` or `floor <size>`. */
const rates = new Map<string, number>();
const stages = new Map<string, StageCost[]>();

let root = '';
let dirNo = 0;
/** A fresh (not yet created) directory under the run's temp root. */
function freshDir(): string {
  dirNo += 1;
  return join(root, `run-${dirNo}`);
}

function progress(): void {
  process.stderr.write('.');
}

function rate(key: string): number {
  const value = rates.get(key);
  if (value === undefined) throw new Error(`no figure for ${key}`);
  return value;
}

function noteBest(key: string, count: number, elapsedMs: number): void {
  rates.set(key, Math.max(rates.get(key) ?? 0, (count * 1000) / elapsedMs));
}

/** Runs `work` on a transport over a fresh data dir, then closes it and deletes the dir. */
async function withTransport<T>(
  codec: CodecName,
  work: (transport: IggyTransport) => Promise<T>,
  registry = true,
): Promise<T> {
  const dir = freshDir();
  const transport = await openTransport(dir, codec, FSYNC_INTERVAL_MS, registry);
  try {
    return await work(transport);
  } finally {
    await transport.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureFloor(label: string, envelopes: readonly EventEnvelope[]): Promise<void> {
  for (let r = 0; r < REPEATS; r++) {
    const dir = freshDir();
    await mkdir(dir, { recursive: true });
    noteBest(`floor ${label}`, envelopes.length, await floorAppend(dir, envelopes, BATCH, FSYNC_INTERVAL_MS));
    await rm(dir, { recursive: true, force: true });
  }
  progress();
}

/** Raw connector send and poll of the transport's encoded messages; returns mean message bytes. */
async function measureRaw(codec: CodecName, label: string, envelopes: readonly EventEnvelope[]): Promise<number> {
  const sends = rawSends(envelopes, codec, BATCH);
  let bytes = 0;
  for (const s of sends) for (const m of s.messages) bytes += m.payload.length;
  for (let r = 0; r < REPEATS; r++) {
    const dir = freshDir();
    const connector = await openRawConnector(dir, FSYNC_INTERVAL_MS);
    noteBest(`${codec} ${label} raw send`, envelopes.length, await rawSendAll(connector, sends, BATCH));
    const polled = await rawPollAll(connector, POLL_COUNT);
    if (polled.messages !== envelopes.length) throw new Error(`raw poll read ${polled.messages} messages`);
    noteBest(`${codec} ${label} raw poll`, envelopes.length, polled.ms);
    await connector.close();
    await rm(dir, { recursive: true, force: true });
  }
  progress();
  return bytes / envelopes.length;
}

async function measureTransport(codec: CodecName, label: string, envelopes: readonly EventEnvelope[]): Promise<void> {
  const prefix = `${codec} ${label}`;
  for (let r = 0; r < REPEATS; r++) {
    await withTransport(codec, async (transport) => {
      noteBest(`${prefix} publishBatch`, envelopes.length, await publishBatches(transport, envelopes, BATCH));
      noteBest(`${prefix} consume`, envelopes.length, await consumeAll(transport, `bench-${r}`, envelopes.length));
    });
    progress();
    await withTransport(codec, async (transport) => {
      noteBest(`${prefix} publish`, envelopes.length, await publishInFlight(transport, envelopes, IN_FLIGHT));
    });
    progress();
    if (codec === 'json') {
      await withTransport(
        codec,
        async (transport) => {
          noteBest(`${prefix} publishBatch plain`, envelopes.length, await publishBatches(transport, envelopes, BATCH));
        },
        false,
      );
      progress();
    }
  }
}

/** Publish-and-consume capacity of JSON 256 B events (subscriber running while publishing). */
async function measureEndToEnd(envelopes: readonly EventEnvelope[]): Promise<void> {
  for (let r = 0; r < REPEATS; r++) {
    await withTransport('json', async (transport) => {
      noteBest('json 256 B end-to-end', envelopes.length, await publishWhileConsuming(transport, 'e2e', envelopes, IN_FLIGHT));
    });
  }
  progress();
}

function runLatency(envelopes: readonly EventEnvelope[], offered: number): Promise<LatencyResult> {
  return withTransport('json', (transport) => measureLatency(transport, envelopes, { rate: offered, ...LATENCY }));
}

function printThroughput(): void {
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
        ['publishBatch plain', `publishBatch(${BATCH}), no registry`],
      ] as const) {
        const r = rates.get(`${prefix} ${what}`);
        if (r !== undefined) rows.push([`${prefix} ${name}`, fmt(r), pct(r / send), pct(r / floor)]);
      }
      rows.push([`${prefix} raw connector poll (${POLL_COUNT}/poll)`, fmt(poll), '', '']);
      const c = rate(`${prefix} consume`);
      rows.push([`${prefix} subscribe: consume to handler`, fmt(c), pct(c / poll), '']);
    }
  }
  rows.push([
    `json 256 B publish() x${IN_FLIGHT} while a subscriber consumes (end to end)`,
    fmt(rate('json 256 B end-to-end')),
    '',
    '',
  ]);
  printTable(['workload (msgs/s; ratios of msgs/s)', 'msgs/s', 'vs raw connector', 'vs floor'], rows);
}

function printStages(): void {
  const perMessage = (key: string) => (1e6 / rate(key)).toFixed(2);
  const rows: string[][] = [];
  const first = stages.get(SIZES[0].label) ?? [];
  first.forEach((stage, i) => {
    rows.push([`cpu: ${stage.stage}`, ...SIZES.map((s) => (stages.get(s.label)?.[i]?.micros ?? Number.NaN).toFixed(2))]);
  });
  for (const [key, name] of [
    ['floor', 'wall: floor (stringify + append)'],
    ['json raw send', 'wall: raw connector send'],
    ['json publishBatch', `wall: publishBatch(${BATCH}) JSON`],
    ['json publish', `wall: publish() x${IN_FLIGHT} JSON`],
    ['json raw poll', 'wall: raw connector poll'],
    ['json consume', 'wall: consume to handler JSON'],
  ] as const) {
    rows.push([
      name,
      ...SIZES.map((s) => perMessage(key === 'floor' ? `floor ${s.label}` : key.replace(' ', ` ${s.label} `))),
    ]);
  }
  printTable(['per message, µs', ...SIZES.map((s) => s.label)], rows);
}

function printLatency(label: string, latency: LatencyResult): void {
  console.log(
    `Latency publish() -> handler, ${label}: ${fmt(latency.offeredPerSec)} msgs/s offered, open loop, JSON 256 B, ` +
      `${LATENCY.durationMs / 1000} s measured after ${LATENCY.warmupMs / 1000} s warm-up, ` +
      `${fmt(latency.measured)} of ${fmt(latency.scheduled)} events handled`,
  );
  console.log(`  p50 ${ms(latency.p50)}   p99 ${ms(latency.p99)}   p999 ${ms(latency.p999)}   max ${ms(latency.max)}`);
}

function printTargets(latency: LatencyResult): void {
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
  targets.push([
    'p99 publish -> handler at 50 % of max publish() rate',
    '< 5 ms',
    ms(latency.p99),
    latency.p99 < 5 ? 'PASS' : 'FAIL',
  ]);
  for (const s of SIZES) {
    const batch = rate(`avro ${s.label} publishBatch`) / rate(`json ${s.label} publishBatch`);
    const single = rate(`avro ${s.label} publish`) / rate(`json ${s.label} publish`);
    const consume = rate(`avro ${s.label} consume`) / rate(`json ${s.label} consume`);
    targets.push([
      `(info) Avro / JSON ${s.label}: publishBatch, publish(), consume`,
      '> 100 %',
      `${pct(batch)}, ${pct(single)}, ${pct(consume)}`,
      batch > 1 && single > 1 && consume > 1 ? 'yes' : 'no',
    ]);
  }
  printTable(['target', 'needs', 'measured', 'result'], targets);
}

async function main(): Promise<void> {
  const began = performance.now();
  root = await mkdtemp(join(tmpdir(), 'rustok-transport-bench-'));
  const sizes: { label: string; payload: number; envelope: number; encoded: Record<string, number> }[] = [];
  let latency: LatencyResult | undefined;
  let capacityLatency: LatencyResult | undefined;
  try {
    let pool: EventEnvelope[] = [];
    for (const size of SIZES) {
      const envelopes = makeEnvelopes(size.count, size.bytes);
      const mean = meanSizes(envelopes);
      const encoded: Record<string, number> = {};
      stages.set(size.label, measureStages(envelopes));
      await measureFloor(size.label, envelopes);
      for (const codec of CODECS) {
        encoded[codec] = await measureRaw(codec, size.label, envelopes);
        await measureTransport(codec, size.label, envelopes);
      }
      sizes.push({ label: size.label, payload: mean.payload, envelope: mean.envelope, encoded });
      if (size.bytes === 256) pool = envelopes.slice(0, 20_000);
    }
    await measureEndToEnd(pool);
    latency = await runLatency(pool, Math.round(rate('json 256 B publish') / 2));
    progress();
    capacityLatency = await runLatency(pool, Math.round(rate('json 256 B end-to-end') / 2));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  process.stderr.write('\n');

  console.log(
    `IggyTransport on the embedded engine, fsync 'interval' (${FSYNC_INTERVAL_MS} ms), 8 partitions, 64 tenants, ` +
      `typed events (registry: zod payload schema + Avro payload schema) unless noted; best of ${REPEATS}.`,
  );
  for (const s of sizes) {
    console.log(
      `  ${s.label}: payload ${fmt(s.payload)} B as JSON, envelope ${fmt(s.envelope)} B as JSON; ` +
        `message bytes json ${fmt(s.encoded.json ?? 0)} B, avro ${fmt(s.encoded.avro ?? 0)} B`,
    );
  }
  console.log('');
  printThroughput();
  console.log('');
  printStages();
  console.log('');
  printLatency('at 50 % of the max publish() rate (target)', latency);
  printLatency('at 50 % of the end-to-end capacity (info)', capacityLatency);
  console.log('');
  printTargets(latency);
  console.log(`\n(${((performance.now() - began) / 1000).toFixed(1)} s)`);
}

await main();
