// Benchmark of the remote connector against a real Iggy 0.9.x server, with Iggy's own
// `iggy-bench` (Rust SDK) as the baseline, run against the same server in the same run.
// Run from the repo root: `node scripts/bench.mjs remote`.
//
// Server: IGGY_ADDRESS (+ IGGY_USERNAME / IGGY_PASSWORD, default iggy/iggy), else one started with
// IGGY_SERVER_CMD for the run; skipped with a reason otherwise. Baseline: IGGY_BENCH_BIN =
// path of `iggy-bench` (built from the Iggy sources: `cargo build --release -p iggy-bench`).
//
// Workload (both sides): 1 KiB messages in batches of 1000, one producer sending to one
// partition of a fresh topic, one send in flight; then one consumer reading them back in polls
// of 1000 by offset. iggy-bench runs as `pinned-producer` / `pinned-consumer` with one actor,
// TCP_NODELAY, and the same message size, batch size and batch count. Payloads are generated
// before the timed region; ids are left to the client (0 = minted per message), as iggy-bench
// does. Latency is per batch (request to confirmation) and per poll.
//
// Noise: the two sides run in alternating rounds (RUSTOK_BENCH_ROUNDS, default 5) on the same
// server, so a busy machine slows both alike; the table shows each side's median round and the
// ratios are medians of the per-round ratios.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IGGY_SERVER_CMD_ENV, type IggyProcess, startIggyProcess } from '@rustok/testkit';
import { RemoteConnector } from '../src/index';
import type { OutgoingMessage } from '../src/types';

const MESSAGE_BYTES = 1024;
const BATCH = 1000;
const BATCHES = Number(process.env.RUSTOK_BENCH_BATCHES ?? '200');
const WARMUP_BATCHES = 20;
const SINGLE_SENDS = 1000;
const ROUNDS = Number(process.env.RUSTOK_BENCH_ROUNDS ?? '5');
/** The target: our publish throughput at least this share of iggy-bench's. */
const TARGET_RATIO = 0.4;

interface Measured {
  msgsPerSec: number;
  mbPerSec: number;
  p50Ms?: number;
  p99Ms?: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function measured(messages: number, ms: number, latencies: number[] = []): Measured {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    msgsPerSec: (messages * 1000) / ms,
    mbPerSec: (messages * MESSAGE_BYTES * 1000) / ms / 1e6,
    ...(sorted.length > 0 ? { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) } : {}),
  };
}

async function publish(connector: RemoteConnector, stream: string, batch: OutgoingMessage[], batches: number): Promise<Measured> {
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < batches; i++) {
    const t = performance.now();
    await connector.send(stream, 't', 0, batch);
    latencies.push(performance.now() - t);
  }
  return measured(batches * batch.length, performance.now() - started, latencies);
}

async function consume(connector: RemoteConnector, stream: string, total: number): Promise<Measured> {
  const latencies: number[] = [];
  let next = 0n;
  let read = 0;
  const started = performance.now();
  while (read < total) {
    const t = performance.now();
    const got = await connector.poll(stream, 't', {
      consumer: { kind: 'consumer', id: 'bench' },
      partition: 0,
      strategy: { kind: 'offset', value: next },
      count: BATCH,
    });
    latencies.push(performance.now() - t);
    if (got.messages.length === 0) throw new Error(`poll returned nothing at offset ${next}`);
    read += got.messages.length;
    next = got.messages.at(-1)!.offset + 1n;
  }
  return measured(read, performance.now() - started, latencies);
}

/** Runs iggy-bench and parses its "<Producers|Consumers> Results" line. */
function iggyBench(bin: string, address: string, user: string, password: string, kind: 'producer' | 'consumer'): Measured {
  const cwd = mkdtempSync(join(tmpdir(), 'rustok-iggy-bench-'));
  try {
    const common = ['-m', String(MESSAGE_BYTES), '-P', String(BATCH), '-b', String(BATCHES), '-u', user, '-p', password];
    const args =
      kind === 'producer'
        ? [...common, 'pinned-producer', '--producers', '1', 'tcp', '--server-address', address, '--nodelay']
        : [...common, '--reuse-streams', 'pinned-consumer', '--consumers', '1', 'tcp', '--server-address', address, '--nodelay'];
    const output = execFileSync(bin, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
    // Strip ANSI colour codes (ESC [ … m).
    const plain = output.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
    const label = kind === 'producer' ? 'Producers' : 'Consumers';
    const line = plain.split('\n').find((l) => l.startsWith(`${label} Results:`));
    const figures = line && /([\d.]+) MB\/s, (\d+) messages\/s.*?p50 latency: ([\d.]+) ms.*?p99 latency: ([\d.]+) ms/.exec(line);
    if (!figures) throw new Error(`cannot find the ${label} Results line in iggy-bench's output`);
    return {
      mbPerSec: Number(figures[1]),
      msgsPerSec: Number(figures[2]),
      p50Ms: Number(figures[3]),
      p99Ms: Number(figures[4]),
    };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function row(name: string, m: Measured | undefined): string {
  if (!m) return `| ${name} | – | – | – | – |`;
  return `| ${name} | ${fmt(m.msgsPerSec)} | ${fmt(m.mbPerSec, 1)} | ${fmt(m.p50Ms, 2)} | ${fmt(m.p99Ms, 2)} |`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The round whose throughput is the median one (so its latencies are shown with it). */
function medianRound(rounds: readonly Measured[]): Measured | undefined {
  if (rounds.length === 0) return undefined;
  const sorted = [...rounds].sort((a, b) => a.msgsPerSec - b.msgsPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Our publish and consume runs of one round, in a fresh stream. */
async function oursRound(connector: RemoteConnector, batch: OutgoingMessage[]): Promise<{ publish: Measured; consume: Measured }> {
  const stream = `bench-remote-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  await connector.ensureStream(stream);
  try {
    await connector.ensureTopic(stream, 't', { partitions: 1 });
    await publish(connector, stream, batch, WARMUP_BATCHES);
    const published = await publish(connector, stream, batch, BATCHES);
    const consumed = await consume(connector, stream, (WARMUP_BATCHES + BATCHES) * BATCH);
    return { publish: published, consume: consumed };
  } finally {
    await connector.deleteStream(stream).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  let server: IggyProcess | undefined;
  let address = process.env.IGGY_ADDRESS?.split(',')[0]?.trim();
  let username = process.env.IGGY_USERNAME ?? 'iggy';
  let password = process.env.IGGY_PASSWORD ?? 'iggy';
  const command = process.env[IGGY_SERVER_CMD_ENV]?.trim();
  if (!address && command) {
    server = await startIggyProcess({ command });
    ({ address, username, password } = server);
  }
  if (!address) {
    console.log(`remote bench skipped: IGGY_ADDRESS is not set (nor ${IGGY_SERVER_CMD_ENV}); see docs/remote.md`);
    return;
  }
  const connector = new RemoteConnector({ addresses: [address], username, password });
  try {
    await connector.connect();
    const health = await connector.health();
    const batch: OutgoingMessage[] = Array.from({ length: BATCH }, () => ({ payload: randomBytes(MESSAGE_BYTES) }));
    const bin = process.env.IGGY_BENCH_BIN?.trim();
    const ours: { publish: Measured; consume: Measured }[] = [];
    const theirs: { publish: Measured; consume: Measured }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      ours.push(await oursRound(connector, batch));
      if (bin) {
        const published = iggyBench(bin, address, username, password, 'producer');
        theirs.push({ publish: published, consume: iggyBench(bin, address, username, password, 'consumer') });
      }
    }
    const singleStream = `bench-remote-single-${Date.now().toString(36)}`;
    await connector.ensureStream(singleStream);
    let single: Measured;
    try {
      await connector.ensureTopic(singleStream, 't', { partitions: 1 });
      single = await publish(connector, singleStream, [{ payload: randomBytes(MESSAGE_BYTES) }], SINGLE_SENDS);
    } finally {
      await connector.deleteStream(singleStream).catch(() => undefined);
    }

    console.log(
      `remote connector vs iggy-bench — server ${health.serverVersion} (protocol ${health.protocol}) at ${address}; ` +
        `${BATCHES} batches × ${BATCH} messages × ${MESSAGE_BYTES} B, 1 producer, 1 partition, ${ROUNDS} alternating rounds`,
    );
    console.log('');
    console.log('| workload (median round) | msgs/s | MB/s | p50 ms | p99 ms |');
    console.log('|---|---:|---:|---:|---:|');
    console.log(row('publish, ours (batch of 1000)', medianRound(ours.map((r) => r.publish))));
    console.log(row('publish, iggy-bench pinned-producer', medianRound(theirs.map((r) => r.publish))));
    console.log(row('consume, ours (polls of 1000)', medianRound(ours.map((r) => r.consume))));
    console.log(row('consume, iggy-bench pinned-consumer', medianRound(theirs.map((r) => r.consume))));
    console.log(row('publish, ours (1 message per send)', single));
    console.log('');
    if (theirs.length > 0) {
      const publishRatios = ours.map((o, i) => o.publish.msgsPerSec / theirs[i]!.publish.msgsPerSec);
      const consumeRatios = ours.map((o, i) => o.consume.msgsPerSec / theirs[i]!.consume.msgsPerSec);
      const ratio = median(publishRatios);
      const pct = (r: number) => `${(r * 100).toFixed(1)} %`;
      console.log(
        `publish throughput ours/iggy-bench: ${pct(ratio)} (median of rounds ${publishRatios.map(pct).join(', ')}) — ` +
          `${ratio >= TARGET_RATIO ? 'meets' : 'BELOW'} the ${TARGET_RATIO * 100} % target`,
      );
      console.log(
        `consume throughput ours/iggy-bench: ${pct(median(consumeRatios))} (median of rounds ${consumeRatios.map(pct).join(', ')})`,
      );
    } else {
      console.log('iggy-bench baseline skipped: IGGY_BENCH_BIN is not set');
    }
    console.log('MB = 10^6 bytes of payload (as iggy-bench counts); latency is per send / per poll.');
  } finally {
    await connector.close();
    await server?.close();
  }
}

await main();
