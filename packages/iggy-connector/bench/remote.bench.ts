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
// does. Latency is per batch (request to confirmation).
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
    const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
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
  const connector = new RemoteConnector({ addresses: [address], username, password, heartbeatIntervalMs: 5_000 });
  const stream = `bench-remote-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  try {
    await connector.connect();
    const health = await connector.health();
    await connector.ensureStream(stream);
    await connector.ensureTopic(stream, 't', { partitions: 1 });
    const batch: OutgoingMessage[] = Array.from({ length: BATCH }, () => ({ payload: randomBytes(MESSAGE_BYTES) }));
    const single: OutgoingMessage[] = [{ payload: randomBytes(MESSAGE_BYTES) }];

    await publish(connector, stream, batch, WARMUP_BATCHES);
    const ours = await publish(connector, stream, batch, BATCHES);
    const oursConsume = await consume(connector, stream, (WARMUP_BATCHES + BATCHES) * BATCH);
    const oursSingle = await publish(connector, stream, single, SINGLE_SENDS);

    const bin = process.env.IGGY_BENCH_BIN?.trim();
    let theirs: Measured | undefined;
    let theirsConsume: Measured | undefined;
    if (bin) {
      theirs = iggyBench(bin, address, username, password, 'producer');
      theirsConsume = iggyBench(bin, address, username, password, 'consumer');
    }

    console.log(
      `remote connector vs iggy-bench — server ${health.serverVersion} (protocol ${health.protocol}) at ${address}; ` +
        `${BATCHES} batches × ${BATCH} messages × ${MESSAGE_BYTES} B, 1 producer, 1 partition`,
    );
    console.log('');
    console.log('| workload | msgs/s | MB/s | p50 ms | p99 ms |');
    console.log('|---|---:|---:|---:|---:|');
    console.log(row('publish, ours (batch of 1000)', ours));
    console.log(row('publish, iggy-bench pinned-producer', theirs));
    console.log(row('consume, ours (polls of 1000)', oursConsume));
    console.log(row('consume, iggy-bench pinned-consumer', theirsConsume));
    console.log(row('publish, ours (1 message per send)', oursSingle));
    console.log('');
    if (theirs) {
      const ratio = ours.msgsPerSec / theirs.msgsPerSec;
      const verdict = ratio >= TARGET_RATIO ? 'meets' : 'BELOW';
      console.log(
        `publish throughput ours/iggy-bench: ${(ratio * 100).toFixed(1)} % (${verdict} the ${TARGET_RATIO * 100} % target)`,
      );
      if (theirsConsume) {
        console.log(`consume throughput ours/iggy-bench: ${((oursConsume.msgsPerSec / theirsConsume.msgsPerSec) * 100).toFixed(1)} %`);
      }
    } else {
      console.log('iggy-bench baseline skipped: IGGY_BENCH_BIN is not set');
    }
    console.log('MB = 10^6 bytes of payload (as iggy-bench counts); latency is per send / per poll.');
  } finally {
    await connector.deleteStream(stream).catch(() => undefined);
    await connector.close();
    await server?.close();
  }
}

await main();
