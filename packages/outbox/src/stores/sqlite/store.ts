import {
  ClosedError,
  type EventEnvelope,
  type EventRegistry,
  type SerializedEvent,
  StorageError,
  ValidationError,
} from '@rustok/core';
import { z } from 'zod';
import { alreadyExists, conflict, prepareEvents, sameContent } from '../../envelope/prepare';
import { WorkerIdInUseError } from '../../errors';
import { driverSchema, parseOptions, storeTableOptions } from '../../options';
import { assertIdentifier } from '../../sql/identifier';
import { truncateUtf8 } from '../../sql/truncate';
import { type CandidateRow, type FetchRequest, type HeadRow, plannedRows, runPlanSync } from '../claim-plan';
import type {
  ClaimedEvent,
  ClaimRequest,
  FailedEvent,
  ListFailedOptions,
  MigrationResult,
  OutboxAppender,
  OutboxStats,
  RelayStore,
  Settlement,
  SettleResult,
  WakeSource,
  WorkerLease,
  WorkerRecord,
  WorkerTakeover,
  WriteOnceResult,
} from '../types';
import { migrateSqlite } from './migrate';
import { SeqWindow } from './seq-window';
import {
  type SqliteNames,
  type SqliteStatementTexts,
  sqliteNames,
  sqliteSchemaV1,
  sqliteSchemaV2,
  sqliteStatements,
} from './sql';
import type { SqliteDatabase, SqliteStatement } from './types';

/** Options of `createSqliteOutbox`. */
export const SqliteOutboxOptionsSchema = z.object({
  /** A better-sqlite3 `Database` (WAL mode recommended). The outbox never closes it. */
  database: driverSchema<SqliteDatabase>(['prepare', 'transaction'], 'database must be a better-sqlite3 Database'),
  ...storeTableOptions,
});

/** Options of `createSqliteOutbox` (input form, defaults optional). */
export type SqliteOutboxOptions = z.input<typeof SqliteOutboxOptionsSchema>;

type Statements = { [K in keyof SqliteStatementTexts]: SqliteStatement };

interface Candidate extends CandidateRow {
  attempts: number;
  envelope: string;
  createdAt: number;
  eventType: string;
  schemaVersion: number;
}

/** id, tenantId, seq, ok, attempts, envelope, createdAt, eventType, schemaVersion. */
type CandidateColumns = [string, string, number, number, number, string, number, string, number];

/**
 * A claimed row as stored: the envelope's JSON text is handed on as is (a transport with
 * `publishSerialized` sends it without parsing it); `envelope` parses it on first use.
 */
class StoredClaim implements ClaimedEvent {
  readonly id: string;
  readonly seq: number;
  readonly tenantId: string;
  readonly leaseId: string;
  readonly attempts: number;
  readonly createdAt: Date;
  readonly serialized: SerializedEvent;
  #envelope: EventEnvelope | undefined;

  constructor(row: Candidate) {
    this.id = row.id;
    this.seq = row.seq;
    this.tenantId = row.tenantId;
    this.leaseId = row.tenantId;
    this.attempts = row.attempts;
    this.createdAt = new Date(row.createdAt);
    this.serialized = {
      id: row.id,
      type: row.eventType,
      schemaVersion: row.schemaVersion,
      tenantId: row.tenantId,
      json: row.envelope,
    };
  }

  /** The stored envelope (validated when it was written). */
  get envelope(): EventEnvelope {
    this.#envelope ??= JSON.parse(this.serialized.json) as EventEnvelope;
    return this.#envelope;
  }
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
      { version: 2, statements: sqliteSchemaV2(this.#names) },
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
      let seq: number | undefined;
      for (const e of prepared) {
        try {
          if (seq === undefined) {
            const first = st.insertFirst.get(e.id, e.tenantId, e.type, e.schemaVersion, e.json, now, now);
            seq = (first as { seq: number }).seq;
          } else {
            st.insert.run(e.id, ++seq, e.tenantId, e.type, e.schemaVersion, e.json, now, now);
          }
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
      let seq: number | undefined;
      const out: WriteOnceResult = { inserted: [], existing: [] };
      for (const e of prepared) {
        let changes: number;
        try {
          if (seq === undefined) {
            // The statement takes the write lock even when it inserts nothing, so MAX(seq) read
            // afterwards cannot be overtaken by another writer.
            const first = st.insertOnceFirst.get(e.id, e.tenantId, e.type, e.schemaVersion, e.json, now, now);
            changes = first === undefined ? 0 : 1;
            seq = first === undefined ? (st.maxSeq.get() as { m: number }).m : (first as { seq: number }).seq;
          } else {
            changes = Number(st.insertOnce.run(e.id, ++seq, e.tenantId, e.type, e.schemaVersion, e.json, now, now).changes);
            if (changes === 0) seq--;
          }
        } catch (err) {
          throw mapWriteError(err, e.id);
        }
        if (changes === 1) {
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

  /**
   * Claims in one immediate transaction: the claimable tenants' heads, a plan over their rows
   * (answered mostly by one read in `seq` order), and the tenant leases on their tenant rows. The
   * lease id of a claimed row is its tenant id.
   */
  async claim(request: ClaimRequest): Promise<ClaimedEvent[]> {
    this.#assertOpen();
    const db = this.#db;
    // A transaction left open on this connection by other code would swallow ours: wait.
    if (db.inTransaction || request.limit <= 0) return [];
    const st = this.#stmts(db);
    const rows = db
      .transaction((): Candidate[] => {
        const now = Date.now();
        const expired = now - request.leaseTtlMs;
        const heads = st.heads.all({ now, expired, limit: request.limit }) as HeadRow[];
        if (heads.length === 0) return [];
        // One read in seq order answers most of the plan; tenants it cannot answer are read alone.
        let from = heads[0]!.seq;
        for (const h of heads) from = Math.min(from, h.seq);
        const scanned = candidates(st.window.all({ from, limit: request.limit, now }));
        const window = new SeqWindow(scanned, from, scanned.length < request.limit);
        const plan = runPlanSync<Candidate>(heads, request.limit, (requests: FetchRequest[]) => {
          const rows: Candidate[] = [];
          const rest: FetchRequest[] = [];
          for (const r of requests) {
            const served = window.serve(r);
            if (served === undefined) rest.push(r);
            else for (const row of served) rows.push(row);
          }
          if (rest.length === 0) return rows;
          const limit = Math.max(...rest.map((r) => r.limit));
          const json = JSON.stringify(rest.map((r) => [r.tenantId, r.afterSeq]));
          for (const row of candidates(st.candidates.all({ requests: json, limit, now }))) rows.push(row);
          return rows;
        });
        if (plan.byTenant.size === 0) return [];
        st.lease.run({ tenants: JSON.stringify([...plan.byTenant.keys()]), workerId: request.workerId, now });
        return plannedRows(plan);
      })
      .immediate();
    return rows.map((r) => new StoredClaim(r));
  }

  /**
   * Records a batch in one immediate transaction: for each tenant whose lease is still ours, its
   * watermark moves to its last dispatched row (rows are not rewritten; with `deleteDispatched`
   * they are deleted), its first unpublished row records the failure, and its lease is cleared.
   */
  async settle(workerId: string, settlement: Settlement): Promise<SettleResult> {
    this.#assertOpen();
    const st = this.#stmts(this.#db);
    return this.#db.transaction((): SettleResult => {
      const now = Date.now();
      const leases = JSON.stringify(settlement.leases);
      const valid = st.validLeases.all({ tenants: leases, workerId }) as Array<{ tenantId: string }>;
      const held = new Set(valid.map((v) => v.tenantId));
      const lostLeases = settlement.leases.filter((id) => !held.has(id));
      if (held.size === 0) return { dispatched: 0, failed: 0, lostLeases };
      const upTo = new Map<string, number>();
      const ids: string[] = [];
      for (const row of settlement.dispatched) {
        if (!held.has(row.tenantId)) continue;
        ids.push(row.id);
        upTo.set(row.tenantId, Math.max(row.seq, upTo.get(row.tenantId) ?? 0));
      }
      let dispatched = ids.length;
      if (ids.length > 0) {
        if (settlement.deleteDispatched) {
          dispatched = Number(st.deleteDispatched.run({ ids: JSON.stringify(ids) }).changes);
          st.raiseFloor.run({ seq: Math.max(...upTo.values()) });
        } else {
          st.logDispatch.run({ marks: JSON.stringify([...upTo]), now });
        }
      }
      let failed = 0;
      const tenants = JSON.stringify([...held]);
      for (const f of settlement.failures) {
        failed += Number(
          st.fail.run({
            id: f.id,
            tenants,
            attempts: f.attempts,
            status: f.failed ? 'failed' : 'pending',
            nextAttemptAt: now + Math.max(0, Math.round(f.delayMs)),
            error: truncateUtf8(f.error),
          }).changes,
        );
      }
      // Watermarks and leases of every held tenant (0 leaves a watermark where it is).
      const marks = JSON.stringify([...held].map((tenantId) => [tenantId, upTo.get(tenantId) ?? 0]));
      st.settleTenants.run({ marks, workerId });
      return { dispatched, failed, lostLeases };
    }).immediate();
  }

  /** @inheritdoc */
  async renew(workerId: string, leaseIds: readonly string[]): Promise<number> {
    this.#assertOpen();
    if (leaseIds.length === 0) return 0;
    const changes = this.#stmts(this.#db).renew.run({
      tenants: JSON.stringify(leaseIds),
      workerId,
      now: Date.now(),
    }).changes;
    return Number(changes);
  }

  /** @inheritdoc */
  async releaseAll(workerId: string): Promise<number> {
    this.#assertOpen();
    return Number(this.#stmts(this.#db).releaseAll.run({ workerId }).changes);
  }

  /**
   * Deletes up to `limit` rows dispatched more than `olderThanMs` ago: per tenant, the rows up to
   * the highest watermark logged before then (and rows marked dispatched by schema version 1).
   */
  async purge(olderThanMs: number, limit: number): Promise<number> {
    this.#assertOpen();
    const st = this.#stmts(this.#db);
    const before = Date.now() - olderThanMs;
    return this.#db
      .transaction((): number => {
        let deleted = 0;
        let floor = 0;
        const targets = st.purgeTargets.all({ before }) as Array<{ tenantId: string; upTo: number }>;
        for (const target of targets) {
          if (deleted >= limit) break;
          deleted += Number(st.purgeTenant.run({ ...target, limit: limit - deleted }).changes);
          floor = Math.max(floor, target.upTo);
        }
        if (floor > 0) st.raiseFloor.run({ seq: floor });
        // The log entries are done with once every row they cover is gone.
        if (deleted < limit) st.purgeLog.run({ before });
        if (deleted < limit) deleted += Number(st.purgeLegacy.run({ before, limit: limit - deleted }).changes);
        return deleted;
      })
      .immediate();
  }

  /** @inheritdoc */
  async stats(leaseTtlMs = 60_000): Promise<OutboxStats> {
    this.#assertOpen();
    const st = this.#stmts(this.#db);
    const now = Date.now();
    return this.#db.transaction((): OutboxStats => {
      const row = st.stats.get() as { unpublished: number; oldest: number | null };
      const failed = (st.countFailed.get() as { n: number }).n;
      const rows = (st.countRows.get() as { n: number }).n;
      const claimed = (st.claimedTenants.get({ expired: now - leaseTtlMs }) as { n: number }).n;
      return {
        pending: row.unpublished - failed,
        failed,
        claimed,
        dispatched: rows - row.unpublished,
        oldestPendingAgeMs: row.oldest === null ? null : Math.max(0, now - row.oldest),
      };
    })();
  }

  /** @inheritdoc */
  async listFailed(options: ListFailedOptions = {}): Promise<FailedEvent[]> {
    this.#assertOpen();
    const rows = this.#stmts(this.#db).listFailed.all({
      tenantId: options.tenantId ?? null,
      limit: options.limit ?? 100,
    }) as Array<Omit<FailedEvent, 'envelope' | 'createdAt'> & { envelope: string; createdAt: number }>;
    rows.sort((a, b) => a.seq - b.seq);
    return rows.map((r) => ({
      ...r,
      createdAt: new Date(r.createdAt),
      envelope: JSON.parse(r.envelope) as EventEnvelope,
    }));
  }

  /** @inheritdoc */
  async requeue(ids: readonly string[]): Promise<number> {
    this.#assertOpen();
    if (ids.length === 0) return 0;
    const n = Number(this.#stmts(this.#db).requeue.run({ ids: JSON.stringify(ids), now: Date.now() }).changes);
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
      // Rows read in bulk come back as arrays: cheaper than objects built column by column.
      st.window.raw(true);
      st.candidates.raw(true);
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

/** Candidate rows from the array rows of `window`/`candidates` (columns in their select order). */
function candidates(rows: unknown[]): Candidate[] {
  return (rows as CandidateColumns[]).map((r) => ({
    id: r[0],
    tenantId: r[1],
    seq: r[2],
    ok: r[3],
    attempts: r[4],
    envelope: r[5],
    createdAt: r[6],
    eventType: r[7],
    schemaVersion: r[8],
  }));
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
