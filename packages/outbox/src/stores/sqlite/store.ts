import { ClosedError, type EventEnvelope, type EventRegistry, StorageError, ValidationError } from '@rustok/core';
import { z } from 'zod';
import { alreadyExists, conflict, type PreparedEvent, prepareEvents, sameContent } from '../../envelope/prepare';
import { WorkerIdInUseError } from '../../errors';
import { parseOptions, registrySchema } from '../../options';
import { assertIdentifier } from '../../sql/identifier';
import { truncateUtf8 } from '../../sql/truncate';
import { type CandidateRow, type FetchRequest, type HeadRow, idsBeyondGap, plannedIds, runPlanSync } from '../claim-plan';
import type {
  ClaimedEvent,
  ClaimRequest,
  FailedEvent,
  FailureUpdate,
  ListFailedOptions,
  MigrationResult,
  OutboxAppender,
  OutboxStats,
  RelayStore,
  WakeSource,
  WorkerLease,
  WorkerRecord,
  WorkerTakeover,
  WriteOnceResult,
} from '../types';
import { migrateSqlite } from './migrate';
import { type SqliteNames, type SqliteStatementTexts, sqliteNames, sqliteSchemaV1, sqliteStatements } from './sql';
import type { SqliteDatabase, SqliteStatement } from './types';

/** Options of `createSqliteOutbox`. */
export const SqliteOutboxOptionsSchema = z.object({
  /** A better-sqlite3 `Database` (WAL mode recommended). The outbox never closes it. */
  database: z.custom<SqliteDatabase>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      typeof (v as { prepare?: unknown }).prepare === 'function' &&
      typeof (v as { transaction?: unknown }).transaction === 'function',
    'database must be a better-sqlite3 Database',
  ),
  /** Outbox table; `<table>_workers` holds relay registrations. */
  table: z.string().default('rustok_outbox'),
  /** Table recording applied schema versions (shared with the inbox). */
  migrationsTable: z.string().default('rustok_migrations'),
  /** When given, envelopes must match a registered definition. */
  registry: registrySchema.optional(),
});

/** Options of `createSqliteOutbox` (input form, defaults optional). */
export type SqliteOutboxOptions = z.input<typeof SqliteOutboxOptionsSchema>;

type Statements = { [K in keyof SqliteStatementTexts]: SqliteStatement };

interface ClaimRow {
  id: string;
  seq: number;
  tenantId: string;
  attempts: number;
  envelope: string;
  createdAt: number;
}

const memoryIds = new WeakMap<SqliteDatabase, number>();
let nextMemoryId = 1;

/**
 * The transactional outbox on SQLite (better-sqlite3). `write`/`writeOnce` are synchronous and
 * run inside the caller's `db.transaction(...)`; the relay side (`RelayStore`) serialises its
 * claims with immediate transactions, so several relays — also in several processes — may share
 * one database file.
 */
export class SqliteOutbox implements RelayStore, OutboxAppender<SqliteDatabase>, AsyncDisposable {
  readonly driver = 'sqlite' as const;
  readonly key: string;
  readonly table: string;
  readonly #db: SqliteDatabase;
  readonly #names: SqliteNames;
  readonly #texts: SqliteStatementTexts;
  readonly #registry: EventRegistry | undefined;
  readonly #statements = new WeakMap<SqliteDatabase, Statements>();
  readonly #listeners = new Set<() => void>();
  #wakeQueued = false;
  #closed = false;

  /** Use `createSqliteOutbox(options)`. */
  constructor(options: SqliteOutboxOptions) {
    const opts = parseOptions(SqliteOutboxOptionsSchema, options, 'SQLite outbox options');
    this.table = assertIdentifier(opts.table, 'table');
    const migrations = assertIdentifier(opts.migrationsTable, 'migrationsTable', 63);
    this.#db = opts.database;
    this.#names = sqliteNames(this.table, migrations);
    this.#texts = sqliteStatements(this.#names);
    this.#registry = opts.registry;
    this.key = `sqlite:${databaseIdentity(this.#db)}:${this.table}`;
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Creates or upgrades the outbox tables (versioned, idempotent). */
  async migrate(): Promise<MigrationResult> {
    this.#assertOpen();
    return migrateSqlite(this.#db, this.#names.migrations, `outbox:${this.table}`, [
      { version: 1, statements: sqliteSchemaV1(this.#names) },
    ]);
  }

  /**
   * Inserts events inside the caller's transaction (`tx` is the `Database` whose
   * `db.transaction(...)` is running). Every envelope is validated first; an invalid one throws
   * its validation error and nothing is written. A repeated id is `ALREADY_EXISTS`.
   */
  write(tx: SqliteDatabase, events: EventEnvelope | readonly EventEnvelope[]): void {
    this.#assertOpen();
    assertInTransaction(tx, 'write');
    const prepared = prepareEvents(events, this.#registry, 'reject');
    if (prepared.length === 0) return;
    const st = this.#stmts(tx);
    tx.transaction(() => {
      const now = Date.now();
      for (const e of prepared) {
        try {
          st.insert.run(rowParams(e, now));
        } catch (err) {
          throw mapWriteError(err, e.id);
        }
      }
    })();
    this.#wake();
  }

  /**
   * Like `write`, but an id already in the outbox with equal content is a no-op, and with
   * different content a `CONFLICT` (and nothing of the batch is written).
   */
  writeOnce(tx: SqliteDatabase, events: EventEnvelope | readonly EventEnvelope[]): WriteOnceResult {
    this.#assertOpen();
    assertInTransaction(tx, 'writeOnce');
    const prepared = prepareEvents(events, this.#registry, 'once');
    const st = this.#stmts(tx);
    const result = tx.transaction((): WriteOnceResult => {
      const now = Date.now();
      const out: WriteOnceResult = { inserted: [], existing: [] };
      for (const e of prepared) {
        let changes: number | bigint;
        try {
          changes = st.insertOnce.run(rowParams(e, now)).changes;
        } catch (err) {
          throw mapWriteError(err, e.id);
        }
        if (Number(changes) === 1) {
          out.inserted.push(e.id);
          continue;
        }
        const row = st.envelopeById.get(e.id) as { envelope: string } | undefined;
        if (row === undefined || !sameContent(JSON.parse(row.envelope), e.envelope)) throw conflict(e.id);
        out.existing.push(e.id);
      }
      return out;
    })();
    if (result.inserted.length > 0) this.#wake();
    return result;
  }

  /** Writes events in `tx` when given, else in an immediate transaction of its own. */
  async append(events: readonly EventEnvelope[], tx?: SqliteDatabase): Promise<void> {
    if (tx !== undefined) {
      this.write(tx, events);
      return;
    }
    this.#assertOpen();
    this.#db.transaction(() => this.write(this.#db, events)).immediate();
  }

  /** @inheritdoc */
  async claim(request: ClaimRequest): Promise<ClaimedEvent[]> {
    this.#assertOpen();
    const db = this.#db;
    // A transaction left open on this connection by other code would swallow ours: wait.
    if (db.inTransaction || request.limit <= 0) return [];
    const st = this.#stmts(db);
    const rows = db
      .transaction((): ClaimRow[] => {
        const now = Date.now();
        const expired = now - request.leaseTtlMs;
        const heads = st.heads.all({ now, expired, limit: request.limit }) as HeadRow[];
        if (heads.length === 0) return [];
        const plan = runPlanSync(heads, request.limit, (requests: FetchRequest[]) =>
          requests.flatMap(
            (r) =>
              (st.candidates.all({ ...r, now, expired }) as Array<Omit<CandidateRow, 'ok'> & { ok: number }>).map(
                (c) => ({ ...c, ok: c.ok === 1 }),
              ),
          ),
        );
        const claimed: ClaimRow[] = [];
        for (const id of plannedIds(plan)) {
          const row = st.claimOne.get({ id, workerId: request.workerId, now, expired }) as ClaimRow | undefined;
          if (row !== undefined) claimed.push(row);
        }
        const release = new Set(idsBeyondGap(plan, new Set(claimed.map((r) => r.id))));
        for (const id of release) st.release.run({ id, workerId: request.workerId });
        return claimed.filter((r) => !release.has(r.id));
      })
      .immediate();
    return rows.map((r) => ({
      id: r.id,
      seq: r.seq,
      tenantId: r.tenantId,
      attempts: r.attempts,
      envelope: JSON.parse(r.envelope) as EventEnvelope,
      createdAt: new Date(r.createdAt),
    }));
  }

  /** @inheritdoc */
  async complete(workerId: string, ids: readonly string[], deleteNow: boolean): Promise<number> {
    this.#assertOpen();
    const st = this.#stmts(this.#db);
    const stmt = deleteNow ? st.deleteClaimed : st.dispatch;
    return this.#db.transaction(() => {
      const now = Date.now();
      let n = 0;
      for (const id of ids) n += Number(stmt.run({ id, workerId, now }).changes);
      return n;
    })();
  }

  /** @inheritdoc */
  async fail(workerId: string, failures: readonly FailureUpdate[], release: readonly string[]): Promise<number> {
    this.#assertOpen();
    const st = this.#stmts(this.#db);
    return this.#db.transaction(() => {
      const now = Date.now();
      let n = 0;
      for (const f of failures) {
        n += Number(
          st.fail.run({
            id: f.id,
            workerId,
            attempts: f.attempts,
            status: f.failed ? 'failed' : 'pending',
            nextAttemptAt: now + Math.max(0, Math.round(f.delayMs)),
            error: truncateUtf8(f.error),
          }).changes,
        );
      }
      for (const id of release) st.release.run({ id, workerId });
      return n;
    })();
  }

  /** @inheritdoc */
  async renew(workerId: string, ids: readonly string[]): Promise<number> {
    this.#assertOpen();
    const st = this.#stmts(this.#db);
    return this.#db.transaction(() => {
      const now = Date.now();
      let n = 0;
      for (const id of ids) n += Number(st.renew.run({ id, workerId, now }).changes);
      return n;
    })();
  }

  /** @inheritdoc */
  async releaseAll(workerId: string): Promise<number> {
    this.#assertOpen();
    return Number(this.#stmts(this.#db).releaseAll.run({ workerId }).changes);
  }

  /** @inheritdoc */
  async purge(olderThanMs: number, limit: number): Promise<number> {
    this.#assertOpen();
    const before = Date.now() - olderThanMs;
    return Number(this.#stmts(this.#db).purge.run({ before, limit }).changes);
  }

  /** @inheritdoc */
  async stats(leaseTtlMs = 60_000): Promise<OutboxStats> {
    this.#assertOpen();
    const st = this.#stmts(this.#db);
    const now = Date.now();
    const row = st.stats.get({ expired: now - leaseTtlMs }) as {
      pending: number;
      failed: number;
      claimed: number;
      oldest: number | null;
    };
    const dispatched = (st.countDispatched.get() as { n: number }).n;
    return {
      pending: row.pending,
      failed: row.failed,
      claimed: row.claimed,
      dispatched,
      oldestPendingAgeMs: row.oldest === null ? null : Math.max(0, now - row.oldest),
    };
  }

  /** @inheritdoc */
  async listFailed(options: ListFailedOptions = {}): Promise<FailedEvent[]> {
    this.#assertOpen();
    const rows = this.#stmts(this.#db).listFailed.all({
      tenantId: options.tenantId ?? null,
      limit: options.limit ?? 100,
    }) as Array<Omit<FailedEvent, 'envelope' | 'createdAt'> & { envelope: string; createdAt: number }>;
    return rows.map((r) => ({
      ...r,
      createdAt: new Date(r.createdAt),
      envelope: JSON.parse(r.envelope) as EventEnvelope,
    }));
  }

  /** @inheritdoc */
  async requeue(ids: readonly string[]): Promise<number> {
    this.#assertOpen();
    const st = this.#stmts(this.#db);
    const n = this.#db.transaction(() => {
      const now = Date.now();
      let changed = 0;
      for (const id of ids) changed += Number(st.requeue.run({ id, now }).changes);
      return changed;
    })();
    if (n > 0) this.#wake();
    return n;
  }

  /** @inheritdoc */
  async acquireWorker(lease: WorkerLease, takeover: WorkerTakeover): Promise<void> {
    this.#assertOpen();
    const st = this.#stmts(this.#db);
    this.#db
      .transaction(() => {
        const now = Date.now();
        const row = st.workerGet.get(lease.workerId) as (Omit<WorkerRecord, 'fresh'> & { heartbeatAt: number }) | undefined;
        if (row !== undefined && row.instanceId !== lease.instanceId) {
          const existing: WorkerRecord = {
            workerId: row.workerId,
            instanceId: row.instanceId,
            host: row.host,
            pid: row.pid,
            fresh: row.heartbeatAt > now - lease.ttlMs,
          };
          if (existing.fresh && !takeover(existing)) {
            throw new WorkerIdInUseError(lease.workerId, `host ${row.host}, pid ${row.pid}`);
          }
        }
        st.workerUpsert.run({ ...workerParams(lease), now });
      })
      .immediate();
  }

  /** @inheritdoc */
  async heartbeatWorker(lease: WorkerLease): Promise<boolean> {
    this.#assertOpen();
    const changes = this.#stmts(this.#db).workerBeat.run({ ...workerParams(lease), now: Date.now() }).changes;
    return Number(changes) === 1;
  }

  /** @inheritdoc */
  async releaseWorker(lease: WorkerLease): Promise<void> {
    if (this.#closed || !this.#db.open) return;
    this.#stmts(this.#db).workerDelete.run(workerParams(lease));
  }

  /** Wakes `onWake` after writes made through this object (other processes are found by polling). */
  async watch(onWake: () => void): Promise<WakeSource> {
    this.#listeners.add(onWake);
    return {
      close: async () => {
        this.#listeners.delete(onWake);
      },
    };
  }

  /** Stops accepting work (`CLOSED` afterwards). The database stays open: it belongs to the caller. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }

  /** Same as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(`outbox ${this.table} is closed`);
    if (!this.#db.open) throw new ClosedError(`the SQLite database of outbox ${this.table} is closed`);
  }

  #stmts(db: SqliteDatabase): Statements {
    let st = this.#statements.get(db);
    if (st === undefined) {
      try {
        st = Object.fromEntries(
          Object.entries(this.#texts).map(([name, sql]) => [name, db.prepare(sql)]),
        ) as Statements;
      } catch (cause) {
        throw new StorageError(
          `cannot prepare the statements of outbox ${this.table} (did you call migrate()?)`,
          { cause },
        );
      }
      this.#statements.set(db, st);
    }
    return st;
  }

  #wake(): void {
    if (this.#listeners.size === 0 || this.#wakeQueued) return;
    this.#wakeQueued = true;
    // After the caller's synchronous transaction has committed (or rolled back).
    setImmediate(() => {
      this.#wakeQueued = false;
      for (const listener of this.#listeners) listener();
    });
  }
}

/** Creates a SQLite outbox over the caller's better-sqlite3 `Database`; call `migrate()` once. */
export function createSqliteOutbox(options: SqliteOutboxOptions): SqliteOutbox {
  return new SqliteOutbox(options);
}

function rowParams(e: PreparedEvent, now: number) {
  return { id: e.id, tenantId: e.tenantId, type: e.type, schemaVersion: e.schemaVersion, json: e.json, now };
}

function workerParams(lease: WorkerLease) {
  return { workerId: lease.workerId, instanceId: lease.instanceId, host: lease.host, pid: lease.pid };
}

function assertInTransaction(tx: SqliteDatabase, method: string): void {
  if (!tx.inTransaction) {
    throw new ValidationError(
      `outbox.${method}() must run inside the caller's transaction (db.transaction(() => ...)); use append() to write on its own`,
      { details: { field: 'tx' } },
    );
  }
}

function mapWriteError(err: unknown, id: string): Error {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return alreadyExists(id, err);
  }
  return new StorageError(`cannot insert event ${id} into the outbox`, { cause: err });
}

function databaseIdentity(db: SqliteDatabase): string {
  const name = db.name;
  if (name !== '' && name !== ':memory:' && !name.startsWith('file::memory:')) return name;
  let id = memoryIds.get(db);
  if (id === undefined) {
    id = nextMemoryId++;
    memoryIds.set(db, id);
  }
  return `memory#${id}`;
}
