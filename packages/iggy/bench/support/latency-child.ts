// Runs one latency measurement in a process of its own and prints the result as JSON on stdout:
// `node --import tsx latency-child.ts <rate> <warmupMs> <durationMs> <fsyncIntervalMs>`.
// The transport bench starts it so that the heap of its bulk throughput phases (and what V8
// decided from them, such as pretenuring allocation sites) does not shape a measurement of
// steady, moderate load.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureLatency } from './latency';
import { openTransport } from './transport-runs';
import { makeEnvelopes } from './workload';

const [rate, warmupMs, durationMs, fsyncIntervalMs] = process.argv.slice(2).map(Number) as [number, number, number, number];
// The generator cycles over a small pool of pre-built envelopes (16 per tenant). A large pool
// would be a live heap of its own that every major GC has to mark, and its pauses would be
// charged to the transport; 20,000 envelopes (~30 MB) were measured to triple the p99.
const POOL = 1024;
const pool = makeEnvelopes(POOL, 256);
const dir = await mkdtemp(join(tmpdir(), 'rustok-latency-'));
try {
  const transport = await openTransport(join(dir, 'data'), 'json', fsyncIntervalMs, false);
  try {
    const result = await measureLatency(transport, pool, { rate, warmupMs, durationMs });
    // Infinite (unhandled) latencies print as null.
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await transport.close();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
