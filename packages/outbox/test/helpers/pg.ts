import { uniqueIdentifier } from '@rustok/testkit';
import pg from 'pg';
import { inject } from 'vitest';

/** The PostgreSQL URL of this run (null when the PostgreSQL suites are skipped). */
export const pgUrl: string | null = inject('pgUrl');

/** A pool on the test server; `max` connections. End it in `afterAll`. */
export function pgPool(max = 10): pg.Pool {
  if (pgUrl === null) throw new Error('no PostgreSQL server for this run');
  const pool = new pg.Pool({ connectionString: pgUrl, max });
  pool.on('error', () => {}); // idle clients killed by the server must not crash the test run
  return pool;
}

/** A fresh schema name for one test; drop it with `dropSchema`. */
export function freshSchema(): string {
  return uniqueIdentifier('ob');
}

/** Drops a test schema and everything in it. */
export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** Runs `fn` in BEGIN/COMMIT on a pool client (ROLLBACK and rethrow on error). */
export async function inTx<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}
