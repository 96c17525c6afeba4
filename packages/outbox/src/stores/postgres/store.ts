import { ClosedError, type EventEnvelope, type EventRegistry, StorageError } from '@rustok/core';
import { z } from 'zod';
import { alreadyExists, conflict, type PreparedEvent, prepareEvents, sameContent } from '../../envelope/prepare';
import { WorkerIdInUseError } from '../../errors';
import { driverSchema, parseOptions, storeTableOptions } from '../../options';
import { truncateUtf8 } from '../../sql/truncate';
import { type CandidateRow, type HeadRow, leaseRows, plannedRows, runPlanAsync } from '../claim-plan';
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
import { PgListener } from './listen';
import { migratePostgres } from './migrate';
import { type PgNames, pgNames } from './names';
import { type PgStatementTexts, pgSchemaV1, pgStatements } from './sql';
import { withPgTransaction } from './tx';
import type { PgPool, PgQueryable } from './types';

/** Options of `createPostgresOutbox`. */
export const PostgresOutboxOptionsSchema = z.object({
  /** A `pg.Pool`; relays use it for claims and hold one client per relay for LISTEN. Never ended here. */
  pool: driverSchema<PgPool>(['query', 'connect'], 'pool must be a pg Pool'),
  /** Schema holding the tables (created by `migrate()`); default: the connection's search_path. */
  schema: z.string().optional(),
  ...storeTableOptions,
});

/** Options of `createPostgresOutbox` (input form, defaults optional). */
export type PostgresOutboxOptions = z.input<typeof PostgresOutboxOptionsSchema>;

interface Candidate extends CandidateRow {
  attempts: number;
  envelope: EventEnvelope;
  createdAt: Date;
}

/**
 * The transactional outbox on PostgreSQL (node-postgres). `write`/`writeOnce` take the client of
 * the caller's open transaction (`BEGIN` … `COMMIT`). Relays claim with `FOR UPDATE SKIP LOCKED`,
 * so several relays share one database, and wake on `LISTEN/NOTIFY` (a statement trigger notifies
 * at commit).
 */
export class PostgresOutbox implements RelayStore, OutboxAppender<PgQueryable>, AsyncDisposable {
  readonly driver = 'postgres' as const;
  readonly key: string;
  readonly table: string;
  readonly #pool: PgPool;
  readonly #names: PgNames;
  readonly #sql: PgStatementTexts;
  readonly #registry: EventRegistry | undefined;
  readonly #listeners = new Set<PgListener>();
  #closed = false;

  /** Use `createPostgresOutbox(options)`. */
  constructor(options: PostgresOutboxOptions) {
    const opts = parseOptions(PostgresOutboxOptionsSchema, options, 'PostgreSQL outbox options');
    this.#names = pgNames(opts.schema, opts.table, opts.migrationsTable);
    this.table = this.#names.table;
    this.#pool = opts.pool;
    this.#sql = pgStatements(this.#names);
    this.#registry = opts.registry;
    this.key = `postgres:${poolIdentity(this.#pool)}:${this.#names.qualified}`;
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The NOTIFY channel of this outbox. */
  get channel(): string {
    return this.#names.channel;
  }

  /** Creates or upgrades the outbox tables (versioned, idempotent, safe to run concurrently). */
  async migrate(): Promise<MigrationResult> {
    this.#assertOpen();
    return migratePostgres(this.#pool, this.#names, `outbox:${this.#names.schema ?? ''}.${this.table}`, [
      { version: 1, statements: pgSchemaV1(this.#names) },
    ]);
  }

  /**
   * Inserts events with the client of the caller's open transaction, in one statement. Every
   * envelope is validated first; an invalid one throws its validation error and nothing is sent.
   * An id already present is `ALREADY_EXISTS` (and, as with any SQL error, aborts the transaction).
   */
  async write(tx: PgQueryable, events: EventEnvelope | readonly EventEnvelope[]): Promise<void> {
    this.#assertOpen();
    const prepared = prepareEvents(events, this.#registry, 'reject');
    if (prepared.length === 0) return;
    try {
      await tx.query(this.#sql.insert, columns(prepared));
    } catch (err) {
      throw mapWriteError(err, prepared);
    }
  }

  /**
   * Like `write`, but an id already in the outbox with equal content is a no-op, and with
   * different content a `CONFLICT` (roll the transaction back: the new ids were inserted).
   */
  async writeOnce(tx: PgQueryable, events: EventEnvelope | readonly EventEnvelope[]): Promise<WriteOnceResult> {
    this.#assertOpen();
    const prepared = prepareEvents(events, this.#registry, 'once');
    if (prepared.length === 0) return { inserted: [], existing: [] };
    let inserted: Set<string>;
    try {
      const res = await tx.query(this.#sql.insertOnce, columns(prepared));
      inserted = new Set((res.rows as Array<{ id: string }>).map((r) => r.id));
    } catch (err) {
      throw mapWriteError(err, prepared);
    }
    const others = prepared.filter((e) => !inserted.has(e.id));
    if (others.length > 0) {
      const res = await tx.query(this.#sql.envelopesByIds, [others.map((e) => e.id)]);
      const stored = new Map((res.rows as Array<{ id: string; envelope: unknown }>).map((r) => [r.id, r.envelope]));
      for (const e of others) {
        if (!stored.has(e.id) || !sameContent(stored.get(e.id), e.envelope)) throw conflict(e.id);
      }
    }
    return { inserted: prepared.filter((e) => inserted.has(e.id)).map((e) => e.id), existing: others.map((e) => e.id) };
  }

  /** Writes events with `tx` when given, else in a transaction of its own. */
  async append(events: readonly EventEnvelope[], tx?: PgQueryable): Promise<void> {
    if (tx !== undefined) return this.write(tx, events);
    this.#assertOpen();
    await withPgTransaction(this.#pool, (client) => this.write(client, events));
  }

  /** @inheritdoc */
  async claim(request: ClaimRequest): Promise<ClaimedEvent[]> {
    this.#assertOpen();
    if (request.limit <= 0) return [];
    const sql = this.#sql;
    const rows = await withPgTransaction(this.#pool, async (client): Promise<Candidate[]> => {
      const heads = (await client.query(sql.heads, [request.leaseTtlMs, request.limit])).rows as Array<
        Omit<HeadRow, 'seq'> & { seq: string }
      >;
      if (heads.length === 0) return [];
      const plan = await runPlanAsync<Candidate>(
        heads.map((h) => ({ ...h, seq: Number(h.seq) })),
        request.limit,
        async (requests) => {
          const res = await client.query(sql.candidates, [
            requests.map((r) => r.tenantId),
            requests.map((r) => r.afterSeq),
            requests.map((r) => r.limit),
            request.leaseTtlMs,
          ]);
          return (res.rows as Array<Omit<Candidate, 'seq'> & { seq: string }>).map((r) => ({ ...r, seq: Number(r.seq) }));
        },
      );
      const leases = leaseRows(plan).map((r) => r.id);
      if (leases.length === 0) return [];
      await client.query(sql.lease, [request.workerId, leases]);
      return plannedRows(plan);
    });
    const leaseOf = new Map<string, string>();
    return rows.map((r) => {
      let leaseId = leaseOf.get(r.tenantId);
      if (leaseId === undefined) {
        leaseId = r.id;
        leaseOf.set(r.tenantId, leaseId);
      }
      return {
        id: r.id,
        seq: r.seq,
        tenantId: r.tenantId,
        leaseId,
        attempts: r.attempts,
        envelope: r.envelope,
        createdAt: r.createdAt,
      };
    });
  }

  /** @inheritdoc */
  async settle(workerId: string, settlement: Settlement): Promise<SettleResult> {
    this.#assertOpen();
    const sql = this.#sql;
    const leases = [...settlement.leases];
    return withPgTransaction(this.#pool, async (client): Promise<SettleResult> => {
      const valid = (await client.query(sql.validLeases, [leases, workerId])).rows as Array<{
        id: string;
        tenantId: string;
      }>;
      const held = new Set(valid.map((v) => v.id));
      const tenants = valid.map((v) => v.tenantId);
      let dispatched = 0;
      let failed = 0;
      if (tenants.length > 0 && settlement.dispatched.length > 0) {
        const res = await client.query(settlement.deleteDispatched ? sql.deleteDispatched : sql.dispatch, [
          settlement.dispatched.map((r) => r.id),
          tenants,
        ]);
        dispatched = res.rowCount ?? 0;
      }
      const failures = settlement.failures;
      if (tenants.length > 0 && failures.length > 0) {
        const res = await client.query(sql.fail, [
          failures.map((f) => f.id),
          failures.map((f) => f.attempts),
          failures.map((f) => (f.failed ? 'failed' : 'pending')),
          failures.map((f) => Math.max(0, f.delayMs)),
          failures.map((f) => truncateUtf8(f.error)),
          tenants,
        ]);
        failed = res.rowCount ?? 0;
      }
      await client.query(sql.clearLeases, [leases, workerId]);
      return { dispatched, failed, lostLeases: leases.filter((id) => !held.has(id)) };
    });
  }

  /** @inheritdoc */
  async renew(workerId: string, ids: readonly string[]): Promise<number> {
    this.#assertOpen();
    const res = await this.#pool.query(this.#sql.renew, [[...ids], workerId]);
    return res.rowCount ?? 0;
  }

  /** @inheritdoc */
  async releaseAll(workerId: string): Promise<number> {
    this.#assertOpen();
    const res = await this.#pool.query(this.#sql.releaseAll, [workerId]);
    return res.rowCount ?? 0;
  }

  /** @inheritdoc */
  async purge(olderThanMs: number, limit: number): Promise<number> {
    this.#assertOpen();
    const res = await this.#pool.query(this.#sql.purge, [olderThanMs, limit]);
    return res.rowCount ?? 0;
  }

  /** @inheritdoc */
  async stats(leaseTtlMs = 60_000): Promise<OutboxStats> {
    this.#assertOpen();
    const [main, dispatched] = await Promise.all([
      this.#pool.query(this.#sql.stats, [leaseTtlMs]),
      this.#pool.query(this.#sql.countDispatched),
    ]);
    const row = main.rows[0] as { pending: number; failed: number; claimed: number; oldestMs: number | null };
    return {
      pending: row.pending,
      failed: row.failed,
      claimed: row.claimed,
      dispatched: (dispatched.rows[0] as { n: number }).n,
      oldestPendingAgeMs: row.oldestMs === null ? null : Math.max(0, row.oldestMs),
    };
  }

  /** @inheritdoc */
  async listFailed(options: ListFailedOptions = {}): Promise<FailedEvent[]> {
    this.#assertOpen();
    const res = await this.#pool.query(this.#sql.listFailed, [options.tenantId ?? null, options.limit ?? 100]);
    return (res.rows as Array<Omit<FailedEvent, 'seq'> & { seq: string }>).map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  /** @inheritdoc */
  async requeue(ids: readonly string[]): Promise<number> {
    this.#assertOpen();
    if (ids.length === 0) return 0;
    const res = await this.#pool.query(this.#sql.requeue, [[...ids], this.#names.channel]);
    return (res.rows[0] as { n: number }).n;
  }

  /** @inheritdoc */
  async acquireWorker(lease: WorkerLease, takeover: WorkerTakeover): Promise<void> {
    this.#assertOpen();
    const sql = this.#sql;
    await withPgTransaction(this.#pool, async (client) => {
      const params = [lease.workerId, lease.instanceId, lease.host, lease.pid];
      const inserted = await client.query(sql.workerInsert, params);
      if ((inserted.rowCount ?? 0) === 1) return;
      const found = await client.query(sql.workerLock, [lease.workerId, lease.ttlMs]);
      const existing = found.rows[0] as WorkerRecord | undefined;
      if (
        existing !== undefined &&
        existing.instanceId !== lease.instanceId &&
        existing.fresh &&
        !takeover(existing)
      ) {
        throw new WorkerIdInUseError(lease.workerId, `host ${existing.host}, pid ${existing.pid}`);
      }
      await client.query(sql.workerTake, params);
    });
  }

  /** @inheritdoc */
  async heartbeatWorker(lease: WorkerLease): Promise<boolean> {
    this.#assertOpen();
    const res = await this.#pool.query(this.#sql.workerBeat, [lease.workerId, lease.instanceId]);
    return res.rowCount === 1;
  }

  /** @inheritdoc */
  async releaseWorker(lease: WorkerLease): Promise<void> {
    if (this.#closed) return;
    await this.#pool.query(this.#sql.workerDelete, [lease.workerId, lease.instanceId]);
  }

  /** LISTENs on this outbox's channel with a dedicated pool client (re-established if it drops). */
  async watch(onWake: () => void): Promise<WakeSource> {
    this.#assertOpen();
    const listener = new PgListener(this.#pool, this.#names.channel, onWake);
    await listener.start();
    this.#listeners.add(listener);
    return {
      close: async () => {
        this.#listeners.delete(listener);
        await listener.close();
      },
    };
  }

  /** Stops accepting work (`CLOSED` afterwards) and drops LISTEN connections; the pool stays open. */
  async close(): Promise<void> {
    this.#closed = true;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    await Promise.all(listeners.map((l) => l.close()));
  }

  /** Same as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(`outbox ${this.#names.qualified} is closed`);
  }
}

/** Creates a PostgreSQL outbox over the caller's `pg.Pool`; call `migrate()` once. */
export function createPostgresOutbox(options: PostgresOutboxOptions): PostgresOutbox {
  return new PostgresOutbox(options);
}

function columns(events: readonly PreparedEvent[]): unknown[] {
  return [
    events.map((e) => e.id),
    events.map((e) => e.tenantId),
    events.map((e) => e.type),
    events.map((e) => e.schemaVersion),
    events.map((e) => e.json),
  ];
}

function mapWriteError(err: unknown, events: readonly PreparedEvent[]): Error {
  const e = err as { code?: unknown; detail?: unknown } | null;
  if (e?.code === '23505') {
    const detail = typeof e.detail === 'string' ? e.detail : '';
    const id = events.find((ev) => detail.includes(`(${ev.id})`))?.id;
    return alreadyExists(id, err);
  }
  return new StorageError('cannot insert events into the outbox', { cause: err });
}

const poolIds = new WeakMap<object, number>();
let nextPoolId = 1;

function poolIdentity(pool: PgPool): string {
  const options = (pool as { options?: { host?: unknown; port?: unknown; database?: unknown; connectionString?: unknown } })
    .options;
  if (options !== undefined) {
    if (typeof options.connectionString === 'string') {
      try {
        const url = new URL(options.connectionString);
        return `${url.hostname}:${url.port}${url.pathname}`;
      } catch {
        // fall through to the object identity
      }
    } else if (options.host !== undefined || options.database !== undefined) {
      return `${String(options.host ?? '')}:${String(options.port ?? '')}/${String(options.database ?? '')}`;
    }
  }
  let id = poolIds.get(pool);
  if (id === undefined) {
    id = nextPoolId++;
    poolIds.set(pool, id);
  }
  return `pool#${id}`;
}
