import { ClosedError, ValidationError } from '@rustok/core';
import { z } from 'zod';
import { parseOptions } from '../options';
import { assertIdentifier, quoteIdent } from '../sql/identifier';
import { migrateSqlite } from '../stores/sqlite/migrate';
import type { SqliteDatabase, SqliteStatement } from '../stores/sqlite/types';
import type { MigrationResult } from '../stores/types';
import { assertInboxKey, type InboxResult } from './types';

/** Options of `createSqliteInbox`. */
export const SqliteInboxOptionsSchema = z.object({
  /** A better-sqlite3 `Database`; never closed here. */
  database: z.custom<SqliteDatabase>(
    (v) => typeof v === 'object' && v !== null && typeof (v as { prepare?: unknown }).prepare === 'function',
    'database must be a better-sqlite3 Database',
  ),
  table: z.string().default('rustok_inbox'),
  migrationsTable: z.string().default('rustok_migrations'),
});

/** Options of `createSqliteInbox` (input form). */
export type SqliteInboxOptions = z.input<typeof SqliteInboxOptionsSchema>;

interface Statements {
  mark: SqliteStatement;
  has: SqliteStatement;
  purge: SqliteStatement;
}

/**
 * Inbox for idempotent consumers on SQLite: records `(group, event id)` in the same transaction as
 * the handler's writes, so a redelivered event is skipped and a failed handler leaves no mark.
 */
export class SqliteInbox<D extends SqliteDatabase = SqliteDatabase> implements AsyncDisposable {
  readonly table: string;
  readonly #db: D;
  readonly #migrations: string;
  readonly #statements = new WeakMap<SqliteDatabase, Statements>();
  #closed = false;

  /** Use `createSqliteInbox(options)`. */
  constructor(options: SqliteInboxOptions & { database: D }) {
    const opts = parseOptions(SqliteInboxOptionsSchema, options, 'SQLite inbox options');
    this.table = assertIdentifier(opts.table, 'table');
    this.#migrations = assertIdentifier(opts.migrationsTable, 'migrationsTable', 63);
    this.#db = options.database;
  }

  /** Creates or upgrades the inbox table (versioned, idempotent). */
  async migrate(): Promise<MigrationResult> {
    this.#assertOpen();
    const t = quoteIdent(this.table);
    return migrateSqlite(this.#db, this.#migrations, `inbox:${this.table}`, [
      {
        version: 1,
        statements: [
          `CREATE TABLE IF NOT EXISTS ${t} (
            consumer_group TEXT NOT NULL,
            event_id TEXT NOT NULL,
            processed_at INTEGER NOT NULL,
            PRIMARY KEY (consumer_group, event_id)
          ) WITHOUT ROWID`,
          `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${this.table}_processed_idx`)} ON ${t} (processed_at)`,
        ],
      },
    ]);
  }

  /**
   * Runs `fn(tx)` once per `(group, eventId)`: marks the event and runs the handler in one
   * transaction on `tx` (a savepoint inside the caller's `db.transaction`, or a transaction of its
   * own). A duplicate returns `{ status: 'duplicate' }` without calling `fn`; if `fn` throws, the
   * mark is rolled back with the handler's writes. `fn` must be synchronous (better-sqlite3).
   */
  process<T, Tx extends SqliteDatabase>(tx: Tx, eventId: string, group: string, fn: (tx: Tx) => T): InboxResult<T> {
    this.#assertOpen();
    assertInboxKey(eventId, group);
    const st = this.#stmts(tx);
    return tx.transaction((): InboxResult<T> => {
      if (Number(st.mark.run(group, eventId, Date.now()).changes) === 0) return { status: 'duplicate' };
      const value = fn(tx);
      if (isPromiseLike(value)) {
        throw new ValidationError('SQLite inbox handlers must be synchronous (better-sqlite3 transactions are)', {
          details: { field: 'fn' },
        });
      }
      return { status: 'processed', value };
    })();
  }

  /** `process` in an immediate transaction of its own on the inbox's database. */
  run<T>(eventId: string, group: string, fn: (tx: D) => T): InboxResult<T> {
    this.#assertOpen();
    return this.#db.transaction(() => this.process(this.#db, eventId, group, fn)).immediate();
  }

  /** Whether `group` has processed `eventId`. */
  has(eventId: string, group: string, tx: SqliteDatabase = this.#db): boolean {
    this.#assertOpen();
    assertInboxKey(eventId, group);
    return this.#stmts(tx).has.get(group, eventId) !== undefined;
  }

  /** Forgets marks older than `olderThanMs` (keep them longer than any redelivery can take). */
  purge(olderThanMs: number): number {
    this.#assertOpen();
    return Number(this.#stmts(this.#db).purge.run(Date.now() - olderThanMs).changes);
  }

  /** Rejects later calls with `CLOSED`; the database stays open. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  /** Same as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(`inbox ${this.table} is closed`);
  }

  #stmts(db: SqliteDatabase): Statements {
    let st = this.#statements.get(db);
    if (st === undefined) {
      const t = quoteIdent(this.table);
      st = {
        mark: db.prepare(
          `INSERT INTO ${t} (consumer_group, event_id, processed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
        ),
        has: db.prepare(`SELECT 1 FROM ${t} WHERE consumer_group = ? AND event_id = ?`),
        purge: db.prepare(`DELETE FROM ${t} WHERE processed_at < ?`),
      };
      this.#statements.set(db, st);
    }
    return st;
  }
}

/** Creates a SQLite inbox; call `migrate()` once. */
export function createSqliteInbox<D extends SqliteDatabase>(options: SqliteInboxOptions & { database: D }): SqliteInbox<D> {
  return new SqliteInbox(options);
}

function isPromiseLike(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
