// The databases of the outbox benchmark: each setup gives a fresh outbox, the raw baseline
// writer (plain batched INSERTs of the same rows into a plain table) and the outbox writer.
import { join } from 'node:path';
import type { EventEnvelope } from '@rustok/core';
import { makeTempDir } from '@rustok/testkit';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { RelayStore } from '../../src/index';
import { createPostgresOutbox } from '../../src/postgres/index';
import { createSqliteOutbox } from '../../src/sqlite/index';

/** One fresh database with an empty outbox. */
export interface BenchDb {
  store: RelayStore & { close(): Promise<void> };
  /** The baseline: the same rows as plain INSERTs into a plain table, one transaction per call. */
  raw(rows: EventEnvelope[]): Promise<void>;
  /** The same rows through `outbox.write`, one transaction per call. */
  write(rows: EventEnvelope[]): Promise<void>;
  teardown(): Promise<void>;
}

/** A database the benchmark runs on. */
export interface Driver {
  name: string;
  setup(): Promise<BenchDb>;
}

/** SQLite in WAL mode with `synchronous = NORMAL` (the recommended setting), for both sides. */
export const sqliteDriver: Driver = {
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
    return {
      store,
      raw: async (rows) => rawTx(rows),
      write: async (rows) => db.transaction(() => store.write(db, rows))(),
      teardown: async () => {
        await store.close();
        db.close();
        await dir.cleanup();
      },
    };
  },
};

/** PostgreSQL through node-postgres; each setup uses a schema of its own, dropped afterwards. */
export function postgresDriver(url: string): Driver {
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
