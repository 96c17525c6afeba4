// Benchmark of the outbox relay against raw batched inserts of the same rows, measured in the same
// run on the same database. Run from the repo root: `node scripts/bench.mjs outbox`.
//
// For each driver (SQLite; PostgreSQL when RUSTOK_TEST_PG_URL is set or Docker is available):
//   raw          the baseline: the same rows inserted with plain batched INSERTs (PER_TX rows per
//                transaction) into a plain table (id primary key, tenant, type, version, JSON).
//   raw-outbox   the same plain INSERTs into a table with the outbox's columns and indexes.
//   write        the same events through `outbox.write` (validation, seq, indexes).
//   relay        end-to-end throughput of the relay (default options, batch BATCH): N committed rows
//                claimed, published to the target, acknowledged and marked dispatched
//                (commit → acknowledgement). The headline ratio, against `raw`.
//   relay-ret0   the same with `retentionMs: 0` (rows deleted when dispatched instead of updated).
//   pipeline     writer and relay at the same time: first commit to last acknowledgement.
// Each figure is the best of REPEATS runs; ratios are ours / raw (higher is better; target ≥ 0.5
// for the relay).
import { join } from 'node:path';
import { createEvent, defineEvent, type EventEnvelope, type EventTransport } from '@rustok/core';
import { acquirePostgres, makeTempDir } from '@rustok/testkit';
import Database from 'better-sqlite3';
import pg from 'pg';
import { z } from 'zod';
import { createRelay, type RelayStore } from '../src/index';
import { createPostgresOutbox } from '../src/postgres/index';
import { createSqliteOutbox } from '../src/sqlite/index';

const N = Number(process.env.RUSTOK_BENCH_EVENTS ?? '20000');
const TENANTS = 100;
const PER_TX = 100;
const BATCH = 1000;
const REPEATS = Number(process.env.RUSTOK_BENCH_REPEATS ?? '3');

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

/**
 * The relay target: an instant in-memory transport that acknowledges every batch at once (like
 * MemoryTransport without its subscriber queues), so the figures are the outbox's own cost.
 * Swap this for the embedded IggyTransport to measure the full path.
 */
async function createTarget(): Promise<{ target: EventTransport; acked: () => number; close(): Promise<void> }> {
  let acked = 0;
  const target: EventTransport = {
    reliability: 'in-memory',
    publish: async (e) => {
      acked++;
      return { id: e.id };
    },
    publishBatch: async (envelopes) => {
      acked += envelopes.length;
      return envelopes.map((e) => ({ id: e.id }));
    },
    health: async () => ({ status: 'healthy', reliability: 'in-memory', details: {} }),
    close: async () => {},
  };
  return { target, acked: () => acked, close: () => target.close() };
}

interface Driver {
  name: string;
  /** Fresh empty tables; returns the store and the two writers. */
  setup(): Promise<{
    store: RelayStore & { close(): Promise<void> };
    raw(rows: EventEnvelope[]): Promise<void>;
    rawOutbox(rows: EventEnvelope[]): Promise<void>;
    write(rows: EventEnvelope[]): Promise<void>;
    teardown(): Promise<void>;
  }>;
}

async function timeIt(fn: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function inBatches(events: EventEnvelope[], fn: (rows: EventEnvelope[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < events.length; i += PER_TX) await fn(events.slice(i, i + PER_TX));
}

async function waitUntil(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 1));
}

async function drain(store: RelayStore, events: EventEnvelope[], retentionMs?: number): Promise<number> {
  const { target, acked, close } = await createTarget();
  const relay = createRelay({
    store,
    target,
    batchSize: BATCH,
    pollIntervalMs: 5,
    metricsIntervalMs: 60_000,
    ...(retentionMs === undefined ? {} : { retentionMs }),
  });
  const ms = await timeIt(async () => {
    await relay.start();
    await waitUntil(() => acked() >= events.length);
  });
  await relay.stop();
  await close();
  return ms;
}

const CASES = ['raw', 'raw-outbox', 'write', 'relay', 'relay-ret0', 'pipeline'] as const;

async function measure(driver: Driver, events: EventEnvelope[]): Promise<Record<string, number>> {
  const best: Record<string, number> = Object.fromEntries(CASES.map((c) => [c, Infinity]));
  const keep = (name: string, ms: number) => {
    best[name] = Math.min(best[name]!, ms);
  };
  for (let rep = 0; rep < REPEATS; rep++) {
    {
      const db = await driver.setup();
      keep('raw', await timeIt(() => inBatches(events, db.raw)));
      keep('raw-outbox', await timeIt(() => inBatches(events, db.rawOutbox)));
      keep('write', await timeIt(() => inBatches(events, db.write)));
      keep('relay', await drain(db.store, events));
      await db.teardown();
    }
    {
      const db = await driver.setup();
      await inBatches(events, db.write);
      keep('relay-ret0', await drain(db.store, events, 0));
      await db.teardown();
    }
    {
      const db = await driver.setup();
      const { target, acked, close } = await createTarget();
      const relay = createRelay({ store: db.store, target, batchSize: BATCH, pollIntervalMs: 5, metricsIntervalMs: 60_000 });
      await relay.start();
      keep(
        'pipeline',
        await timeIt(async () => {
          await inBatches(events, db.write);
          await waitUntil(() => acked() >= events.length);
        }),
      );
      await relay.stop();
      await close();
      await db.teardown();
    }
  }
  return best;
}

function report(name: string, ms: Record<string, number>): boolean {
  const rate = (t: number) => Math.round((N * 1000) / t);
  const raw = rate(ms.raw!);
  console.log(`\n${name}: ${N} events, ${TENANTS} tenants, ${PER_TX} per transaction, relay batch ${BATCH}`);
  console.log(`  ${'case'.padEnd(12)}${'events/s'.padStart(12)}${'ratio to raw'.padStart(15)}`);
  for (const key of CASES) {
    const r = rate(ms[key]!);
    console.log(`  ${key.padEnd(12)}${String(r).padStart(12)}${(r / raw).toFixed(2).padStart(15)}`);
  }
  const ratio = rate(ms.relay!) / raw;
  const met = ratio >= 0.5;
  console.log(`  relay end-to-end / raw inserts = ${ratio.toFixed(2)} (target ≥ 0.5: ${met ? 'met' : 'NOT met'})`);
  console.log(`  relay end-to-end / raw inserts into the outbox's own table = ${(rate(ms.relay!) / rate(ms['raw-outbox']!)).toFixed(2)}`);
  return met;
}

const sqlite: Driver = {
  name: 'SQLite (better-sqlite3, WAL, synchronous=NORMAL)',
  async setup() {
    const dir = await makeTempDir('rustok-outbox-bench-');
    const db = new Database(join(dir.path, 'bench.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`cache_size = ${process.env.RUSTOK_BENCH_SQLITE_CACHE ?? '-2000'}`);
    db.exec(`CREATE TABLE raw_events (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, event_type TEXT NOT NULL,
      schema_version INTEGER NOT NULL, envelope TEXT NOT NULL, created_at INTEGER NOT NULL)`);
    const insert = db.prepare('INSERT INTO raw_events VALUES (?, ?, ?, ?, ?, ?)');
    const rawTx = db.transaction((rows: EventEnvelope[]) => {
      const now = Date.now();
      for (const e of rows) insert.run(e.id, e.tenantId, e.type, e.schemaVersion, JSON.stringify(e), now);
    });
    const store = createSqliteOutbox({ database: db });
    await store.migrate();
    // A table with the outbox's exact schema, filled with plain INSERTs.
    await createSqliteOutbox({ database: db, table: 'raw_outbox' }).migrate();
    const insertOutbox = db.prepare(`INSERT INTO raw_outbox (id, seq, tenant_id, event_type, schema_version, envelope,
      status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`);
    let seq = 0;
    const rawOutboxTx = db.transaction((rows: EventEnvelope[]) => {
      const now = Date.now();
      for (const e of rows) insertOutbox.run(e.id, ++seq, e.tenantId, e.type, e.schemaVersion, JSON.stringify(e), now, now);
    });
    return {
      store,
      raw: async (rows) => rawTx(rows),
      rawOutbox: async (rows) => rawOutboxTx(rows),
      write: async (rows) => db.transaction(() => store.write(db, rows))(),
      teardown: async () => {
        await store.close();
        db.close();
        await dir.cleanup();
      },
    };
  },
};

function postgres(url: string): Driver {
  return {
    name: 'PostgreSQL (node-postgres)',
    async setup() {
      const pool = new pg.Pool({ connectionString: url, max: 8 });
      const schema = `bench_${process.pid}_${Date.now()}`;
      const store = createPostgresOutbox({ pool, schema });
      await store.migrate();
      await pool.query(`CREATE TABLE "${schema}".raw_events (id text PRIMARY KEY, tenant_id text NOT NULL,
        event_type text NOT NULL, schema_version integer NOT NULL, envelope jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())`);
      await pool.query(`CREATE TABLE "${schema}".raw_outbox (LIKE "${schema}".rustok_outbox INCLUDING ALL)`);
      const inTx = async (fn: (c: pg.PoolClient) => Promise<unknown>) => {
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          await fn(c);
          await c.query('COMMIT');
        } finally {
          c.release();
        }
      };
      return {
        store,
        raw: (rows) =>
          inTx((c) =>
            c.query(
              `INSERT INTO "${schema}".raw_events (id, tenant_id, event_type, schema_version, envelope)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::jsonb[])`,
              [
                rows.map((e) => e.id),
                rows.map((e) => e.tenantId),
                rows.map((e) => e.type),
                rows.map((e) => e.schemaVersion),
                rows.map((e) => JSON.stringify(e)),
              ],
            ),
          ),
        rawOutbox: (rows) =>
          inTx((c) =>
            c.query(
              `INSERT INTO "${schema}".raw_outbox (id, tenant_id, event_type, schema_version, envelope)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::jsonb[])`,
              [
                rows.map((e) => e.id),
                rows.map((e) => e.tenantId),
                rows.map((e) => e.type),
                rows.map((e) => e.schemaVersion),
                rows.map((e) => JSON.stringify(e)),
              ],
            ),
          ),
        write: (rows) => inTx((c) => store.write(c, rows)),
        teardown: async () => {
          await store.close();
          await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
          await pool.end();
        },
      };
    },
  };
}

const events = makeEvents();
let allMet = true;
allMet = report(sqlite.name, await measure(sqlite, events)) && allMet;
const found = await acquirePostgres();
if (found.status === 'skipped') {
  console.log(`\nPostgreSQL: skipped — ${found.reason}`);
} else {
  try {
    const driver = postgres(found.server.url);
    allMet = report(driver.name, await measure(driver, events)) && allMet;
  } finally {
    await found.server.close();
  }
}
if (!allMet) console.log('\nNote: the relay ratio target (≥ 0.5) was not met on this machine in this run.');
