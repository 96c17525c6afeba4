// Benchmark of the outbox relay on the real path — the embedded IggyTransport (fsync 'interval')
// as the relay's target — against raw batched inserts of the same rows, measured in the same run
// on the same database. Run from the repo root: `node scripts/bench.mjs outbox`.
//
// For each driver (SQLite; PostgreSQL when RUSTOK_TEST_PG_URL is set or Docker is available):
//   raw            the baseline: the same rows as plain batched INSERTs (PER_TX rows per
//                  transaction) into a plain table (id primary key, tenant, type, version, JSON).
//   write          the same events through `outbox.write` (validation, seq, indexes).
//   iggy           the same events published straight to the embedded IggyTransport with
//                  publishBatch(BATCH): the transport's own cost, a ceiling for any relay into it.
//   relay          THE HEADLINE. N committed rows claimed, published to the embedded
//                  IggyTransport, acknowledged by it and marked dispatched (default options,
//                  batch BATCH): commit → acknowledgement, as a ratio to `raw`; target ≥ 0.5.
//   relay-ret0     the same with `retentionMs: 0` (rows deleted when dispatched, not updated).
//   relay-instant  the relay into a target that acknowledges at once: the outbox's own cost.
//   pipeline       writer and relay (into IggyTransport) at the same time: first commit to last
//                  acknowledgement.
// Each figure is the best of REPEATS runs. Environment: RUSTOK_BENCH_EVENTS (default 20000),
// RUSTOK_BENCH_REPEATS (default 3), RUSTOK_BENCH_SQLITE_CACHE (SQLite cache_size pragma).
import { createEvent, defineEvent, type EventEnvelope, type Metrics } from '@rustok/core';
import { acquirePostgres, makeTempDir } from '@rustok/testkit';
import { z } from 'zod';
import { createRelay, type RelayStore } from '../src/index';
import { type Driver, postgresDriver, sqliteDriver } from './support/drivers';
import { type BenchTarget, FSYNC, iggyTarget, instantTarget } from './support/targets';

const N = Number(process.env.RUSTOK_BENCH_EVENTS ?? '20000');
const TENANTS = 100;
const PER_TX = 100;
const BATCH = 1000;
const REPEATS = Math.max(1, Number(process.env.RUSTOK_BENCH_REPEATS ?? '3'));
const TARGET_RATIO = 0.5;

const OrderCreated = defineEvent({
  type: 'order.created',
  version: 1,
  payload: z.object({ orderId: z.string(), amount: z.number(), lines: z.array(z.object({ sku: z.string(), qty: z.number() })) }),
});

/** N events over TENANTS tenants with a small realistic payload (built before any timing). */
function makeEvents(): EventEnvelope[] {
  return Array.from({ length: N }, (_, i) =>
    createEvent(OrderCreated, {
      tenantId: `tenant-${i % TENANTS}`,
      payload: { orderId: `ord-${i}`, amount: (i % 997) * 1.5, lines: [{ sku: `sku-${i % 50}`, qty: 1 + (i % 3) }] },
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    }),
  );
}

const CASES = {
  raw: 'batched INSERTs into a plain table (baseline)',
  write: 'outbox.write, same transactions',
  iggy: 'publishBatch straight to IggyTransport (ceiling)',
  relay: 'relay → IggyTransport, commit → ack + marked',
  'relay-ret0': 'the same, rows deleted when dispatched',
  'relay-instant': "relay → instant target (outbox's own cost)",
  pipeline: 'writer and relay → IggyTransport at once',
} as const;
type Case = keyof typeof CASES;

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function inBatches(events: EventEnvelope[], size: number, fn: (rows: EventEnvelope[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < events.length; i += size) await fn(events.slice(i, i + size));
}

/**
 * Runs a relay from `store` into `bench.target` until it has recorded `count` rows as published
 * (acknowledged by the target and marked); `during` runs right after the relay started.
 */
async function relayUntil(
  store: RelayStore,
  bench: BenchTarget,
  count: number,
  options: { retentionMs?: number; during?: () => Promise<void> } = {},
): Promise<number> {
  let published = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const metrics: Metrics = {
    increment: (name, value = 1) => {
      if (name !== 'outbox.relay.published') return;
      published += value;
      if (published >= count) done();
    },
    observe: () => {},
    gauge: () => {},
  };
  const relay = createRelay({
    store,
    target: bench.target,
    batchSize: BATCH,
    pollIntervalMs: 5,
    metricsIntervalMs: 60_000,
    metrics,
    ...(options.retentionMs === undefined ? {} : { retentionMs: options.retentionMs }),
  });
  try {
    return await timeIt(async () => {
      await relay.start();
      await options.during?.();
      await finished;
    });
  } finally {
    await relay.stop();
    await bench.close();
  }
}

async function measure(driver: Driver, events: EventEnvelope[], root: string): Promise<Record<Case, number>> {
  const best = Object.fromEntries(Object.keys(CASES).map((c) => [c, Infinity])) as Record<Case, number>;
  const keep = (name: Case, ms: number) => {
    best[name] = Math.min(best[name], ms);
  };
  const withDb = async (fn: (db: Awaited<ReturnType<Driver['setup']>>) => Promise<void>) => {
    const db = await driver.setup();
    try {
      await fn(db);
    } finally {
      await db.teardown();
    }
  };
  for (let rep = 0; rep < REPEATS; rep++) {
    await withDb(async (db) => {
      keep('raw', await timeIt(() => inBatches(events, PER_TX, db.raw)));
      keep('write', await timeIt(() => inBatches(events, PER_TX, db.write)));
      keep('relay', await relayUntil(db.store, await iggyTarget(root), N));
    });
    {
      const bench = await iggyTarget(root);
      keep('iggy', await timeIt(() => inBatches(events, BATCH, (rows) => bench.target.publishBatch(rows))));
      await bench.close();
    }
    await withDb(async (db) => {
      await inBatches(events, PER_TX, db.write);
      keep('relay-ret0', await relayUntil(db.store, await iggyTarget(root), N, { retentionMs: 0 }));
    });
    await withDb(async (db) => {
      await inBatches(events, PER_TX, db.write);
      keep('relay-instant', await relayUntil(db.store, instantTarget(), N));
    });
    await withDb(async (db) => {
      const during = () => inBatches(events, PER_TX, db.write);
      keep('pipeline', await relayUntil(db.store, await iggyTarget(root), N, { during }));
    });
  }
  return best;
}

const rate = (ms: number) => (N * 1000) / ms;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Prints one driver's figures; returns the headline ratio (relay / raw). */
function report(name: string, ms: Record<Case, number>): number {
  const raw = rate(ms.raw);
  console.log(
    `\n${name}: ${fmt(N)} events, ${TENANTS} tenants, ${PER_TX} per transaction, relay batch ${BATCH}, ` +
      `target IggyTransport embedded (fsync ${FSYNC.policy} ${FSYNC.intervalMs} ms), best of ${REPEATS}`,
  );
  const width = Math.max(...Object.values(CASES).map((d) => d.length));
  console.log(`  ${'case'.padEnd(14)}${'what'.padEnd(width + 2)}${'events/s'.padStart(10)}${'/ raw'.padStart(8)}`);
  for (const [key, what] of Object.entries(CASES) as [Case, string][]) {
    const r = rate(ms[key]);
    console.log(`  ${key.padEnd(14)}${what.padEnd(width + 2)}${fmt(r).padStart(10)}${(r / raw).toFixed(2).padStart(8)}`);
  }
  const ratio = rate(ms.relay) / raw;
  console.log(
    `  relay / iggy ceiling = ${(rate(ms.relay) / rate(ms.iggy)).toFixed(2)}; ` +
      `relay-instant / raw = ${(rate(ms['relay-instant']) / raw).toFixed(2)}`,
  );
  return ratio;
}

const events = makeEvents();
const root = await makeTempDir('rustok-outbox-bench-iggy-');
const targets: Array<[string, string]> = [];
const verdict = (label: string, ratio: number) =>
  targets.push([label, `${ratio.toFixed(2)}  ${ratio >= TARGET_RATIO ? 'PASS' : 'FAIL'}`]);
try {
  verdict('SQLite', report(sqliteDriver.name, await measure(sqliteDriver, events, root.path)));
  const found = await acquirePostgres();
  if (found.status === 'skipped') {
    console.log(`\nPostgreSQL: skipped — ${found.reason}`);
    targets.push(['PostgreSQL', 'skipped (no server)']);
  } else {
    try {
      const driver = postgresDriver(found.server.url);
      verdict('PostgreSQL', report(driver.name, await measure(driver, events, root.path)));
    } finally {
      await found.server.close();
    }
  }
} finally {
  await root.cleanup();
}
console.log(`\nTarget: relay end to end (commit → acknowledged by the embedded IggyTransport) / raw inserts ≥ ${TARGET_RATIO}`);
for (const [label, result] of targets) console.log(`  ${label.padEnd(12)}${result}`);
