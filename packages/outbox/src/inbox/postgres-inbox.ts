import { ClosedError } from '@rustok/core';
import { z } from 'zod';
import { parseOptions } from '../options';
import { quoteIdent } from '../sql/identifier';
import { migratePostgres } from '../stores/postgres/migrate';
import { type PgNames, pgNames } from '../stores/postgres/names';
import { withPgTransaction } from '../stores/postgres/tx';
import type { PgPool, PgPoolClient, PgQueryable } from '../stores/postgres/types';
import type { MigrationResult } from '../stores/types';
import { assertInboxKey, type InboxResult } from './types';

/** Options of `createPostgresInbox`. */
export const PostgresInboxOptionsSchema = z.object({
  /** A `pg.Pool`, used by `migrate()`, `run()` and `purge()`; never ended here. */
  pool: z.custom<PgPool>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      typeof (v as { query?: unknown }).query === 'function' &&
      typeof (v as { connect?: unknown }).connect === 'function',
    'pool must be a pg Pool',
  ),
  schema: z.string().optional(),
  table: z.string().default('rustok_inbox'),
  migrationsTable: z.string().default('rustok_migrations'),
});

/** Options of `createPostgresInbox` (input form). */
export type PostgresInboxOptions = z.input<typeof PostgresInboxOptionsSchema>;

const SAVEPOINT = 'rustok_inbox';

/**
 * Inbox for idempotent consumers on PostgreSQL: records `(group, event id)` in the same
 * transaction as the handler's writes. A concurrent duplicate waits for the first one's commit
 * and is then skipped.
 */
export class PostgresInbox implements AsyncDisposable {
  readonly #pool: PgPool;
  readonly #names: PgNames;
  #closed = false;

  /** Use `createPostgresInbox(options)`. */
  constructor(options: PostgresInboxOptions) {
    const opts = parseOptions(PostgresInboxOptionsSchema, options, 'PostgreSQL inbox options');
    this.#pool = opts.pool;
    this.#names = pgNames(opts.schema, opts.table, opts.migrationsTable);
  }

  /** Creates or upgrades the inbox table (versioned, idempotent). */
  async migrate(): Promise<MigrationResult> {
    this.#assertOpen();
    const t = this.#names.qualified;
    return migratePostgres(this.#pool, this.#names, `inbox:${this.#names.schema ?? ''}.${this.#names.table}`, [
      {
        version: 1,
        statements: [
          `CREATE TABLE IF NOT EXISTS ${t} (
            consumer_group text NOT NULL,
            event_id text NOT NULL,
            processed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (consumer_group, event_id)
          )`,
          `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${this.#names.table}_processed_idx`)} ON ${t} (processed_at)`,
        ],
      },
    ]);
  }

  /**
   * Runs `fn(tx)` once per `(group, eventId)` inside the caller's open transaction on `tx`, under
   * a savepoint: a duplicate returns `{ status: 'duplicate' }` without calling `fn`; if `fn`
   * throws, the mark and the handler's writes are rolled back to the savepoint and the error is
   * rethrown (the caller's transaction stays usable).
   */
  async process<T, C extends PgQueryable>(
    tx: C,
    eventId: string,
    group: string,
    fn: (tx: C) => Promise<T> | T,
  ): Promise<InboxResult<T>> {
    this.#assertOpen();
    assertInboxKey(eventId, group);
    await tx.query(`SAVEPOINT ${SAVEPOINT}`);
    try {
      const marked = await tx.query(
        `INSERT INTO ${this.#names.qualified} (consumer_group, event_id) VALUES ($1, $2)
         ON CONFLICT DO NOTHING RETURNING 1`,
        [group, eventId],
      );
      if ((marked.rowCount ?? 0) === 0) {
        await tx.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
        return { status: 'duplicate' };
      }
      const value = await fn(tx);
      await tx.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
      return { status: 'processed', value };
    } catch (err) {
      await tx.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`).catch(() => {});
      await tx.query(`RELEASE SAVEPOINT ${SAVEPOINT}`).catch(() => {});
      throw err;
    }
  }

  /** `process` in a transaction of its own on a pool client. */
  async run<T>(eventId: string, group: string, fn: (tx: PgPoolClient) => Promise<T> | T): Promise<InboxResult<T>> {
    this.#assertOpen();
    return withPgTransaction(this.#pool, (client) => this.process(client, eventId, group, fn));
  }

  /** Whether `group` has processed `eventId`. */
  async has(eventId: string, group: string, tx: PgQueryable = this.#pool): Promise<boolean> {
    this.#assertOpen();
    assertInboxKey(eventId, group);
    const res = await tx.query(
      `SELECT 1 FROM ${this.#names.qualified} WHERE consumer_group = $1 AND event_id = $2`,
      [group, eventId],
    );
    return (res.rowCount ?? 0) > 0;
  }

  /** Forgets marks older than `olderThanMs` (keep them longer than any redelivery can take). */
  async purge(olderThanMs: number): Promise<number> {
    this.#assertOpen();
    const res = await this.#pool.query(
      `DELETE FROM ${this.#names.qualified} WHERE processed_at < now() - $1 * interval '1 millisecond'`,
      [olderThanMs],
    );
    return res.rowCount ?? 0;
  }

  /** Rejects later calls with `CLOSED`; the pool stays open. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  /** Same as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(`inbox ${this.#names.qualified} is closed`);
  }
}

/** Creates a PostgreSQL inbox; call `migrate()` once. */
export function createPostgresInbox(options: PostgresInboxOptions): PostgresInbox {
  return new PostgresInbox(options);
}
