import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  ErrorCodes,
  type EventTransport,
  hasErrorCode,
  type Logger,
  type Metrics,
  noopLogger,
  noopMetrics,
} from '@rustok/core';
import { WorkerIdInUseError } from '../errors';
import { parseOptions } from '../options';
import type {
  ClaimedEvent,
  DispatchedRow,
  FailedEvent,
  FailureUpdate,
  ListFailedOptions,
  OutboxStats,
  RelayStore,
  Settlement,
  SettleResult,
  WakeSource,
  WorkerLease,
} from '../stores/types';
import { type BackoffPolicy, backoffDelay } from './backoff';
import { type RelayOptions, RelayOptionsSchema, type ResolvedRelayOptions } from './options';
import { describeError, errorCode, type PublishOutcome, publishClaimed } from './publish';
import { isPidAlive, releaseWorkerReservation, reserveWorker } from './worker-registry';

/** Where a relay is in its life. */
export type RelayState = 'idle' | 'running' | 'stopping';

/** Metric names reported by the relay (labels are low-cardinality: `code` only). */
export const RelayMetrics = {
  batchSize: 'outbox.relay.batch_size',
  publishLatencyMs: 'outbox.relay.publish_latency_ms',
  published: 'outbox.relay.published',
  publishFailures: 'outbox.relay.publish_failures',
  rowsFailed: 'outbox.relay.rows_failed',
  leaseLost: 'outbox.relay.lease_lost',
  purged: 'outbox.relay.purged',
  lagMs: 'outbox.relay.lag_ms',
  pending: 'outbox.relay.pending',
  failed: 'outbox.relay.failed',
} as const;

const MAX_ERROR_SLEEP_MS = 30_000;
const PURGE_BATCH = 1000;
const PURGE_ROUNDS = 20;
/** Settlement attempts of one published batch, the first retry after SETTLE_RETRY_MS, then doubling. */
const SETTLE_ATTEMPTS = 5;
const SETTLE_RETRY_MS = 50;

/**
 * Drains an outbox into an `EventTransport`: claims batches with a lease, publishes them with
 * `publishBatch`, marks them dispatched with a compare-and-set on the claim, and retries failures
 * with backoff. A tenant's later event is never published while an earlier one is unpublished.
 * Delivery is at-least-once (a crash between publish and mark republishes the batch).
 */
export class OutboxRelay implements AsyncDisposable {
  readonly workerId: string;
  readonly #opts: ResolvedRelayOptions;
  readonly #store: RelayStore;
  readonly #target: EventTransport;
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  readonly #backoff: BackoffPolicy;
  readonly #lease: WorkerLease;
  #state: RelayState = 'idle';
  #loop: Promise<void> | undefined;
  #watcher: WakeSource | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #poked = false;
  #wakeSleeper: (() => void) | undefined;
  #lastPurge = 0;
  #lastGauges = 0;
  #errorsInRow = 0;

  /** Use `createRelay(options)`. */
  constructor(options: RelayOptions) {
    this.#opts = parseOptions(RelayOptionsSchema, options, 'relay options');
    this.#store = this.#opts.store;
    this.#target = this.#opts.target;
    this.#logger = this.#opts.logger ?? noopLogger;
    this.#metrics = this.#opts.metrics ?? noopMetrics;
    this.#backoff = this.#opts.backoff;
    this.workerId = this.#opts.workerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.#lease = {
      workerId: this.workerId,
      instanceId: randomUUID(),
      host: hostname(),
      pid: process.pid,
      ttlMs: this.#opts.leaseTtlMs,
    };
  }

  /** Current state. */
  get state(): RelayState {
    return this.#state;
  }

  /**
   * Registers the worker id (refusing one held by a live relay, in this process or on the
   * database, with `WorkerIdInUseError`), frees claims left by a dead predecessor with the same
   * id, and starts the claim loop.
   */
  async start(): Promise<void> {
    if (this.#state !== 'idle') {
      throw new WorkerIdInUseError(this.workerId, 'this relay object is already started');
    }
    reserveWorker(this.#store.key, this.workerId, this.#lease.instanceId);
    try {
      await this.#store.acquireWorker(
        this.#lease,
        (existing) => existing.host === this.#lease.host && existing.pid !== process.pid && !isPidAlive(existing.pid),
      );
      const freed = await this.#store.releaseAll(this.workerId);
      if (freed > 0) this.#logger.info('outbox relay freed claims of a previous run', { workerId: this.workerId, freed });
      this.#watcher = await this.#store.watch(() => this.#poke());
    } catch (err) {
      releaseWorkerReservation(this.#store.key, this.workerId, this.#lease.instanceId);
      if (this.#watcher !== undefined) await this.#watcher.close().catch(() => {});
      this.#watcher = undefined;
      throw err;
    }
    this.#state = 'running';
    const every = this.#opts.heartbeatIntervalMs ?? Math.max(10, Math.floor(this.#opts.leaseTtlMs / 3));
    this.#heartbeat = setInterval(() => void this.#beat(), every);
    this.#heartbeat.unref();
    this.#logger.info('outbox relay started', { workerId: this.workerId, driver: this.#store.driver });
    this.#loop = this.#run();
  }

  /** Stops claiming, lets the in-flight batch finish and be recorded, and unregisters the worker. */
  async stop(): Promise<void> {
    if (this.#state === 'idle') return;
    this.#state = 'stopping';
    this.#poke();
    await this.#loop;
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    await this.#watcher?.close().catch(() => {});
    this.#watcher = undefined;
    try {
      await this.#store.releaseWorker(this.#lease);
    } catch (err) {
      this.#logger.warn('outbox relay could not unregister its worker id', { workerId: this.workerId, error: describeError(err) });
    }
    releaseWorkerReservation(this.#store.key, this.workerId, this.#lease.instanceId);
    this.#state = 'idle';
    this.#logger.info('outbox relay stopped', { workerId: this.workerId });
  }

  /** Same as `stop()`. */
  async close(): Promise<void> {
    await this.stop();
  }

  /** Same as `stop()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Rows in `failed` state (their tenants wait until they are requeued). */
  listFailed(options?: ListFailedOptions): Promise<FailedEvent[]> {
    return this.#store.listFailed(options);
  }

  /** Puts failed rows back to pending with zero attempts and wakes the relay. */
  async requeue(ids: readonly string[]): Promise<number> {
    const n = await this.#store.requeue(ids);
    if (n > 0) this.#poke();
    return n;
  }

  /** Row counts and lag of the outbox. */
  stats(): Promise<OutboxStats> {
    return this.#store.stats();
  }

  async #run(): Promise<void> {
    while (this.#state === 'running') {
      let claimed = 0;
      try {
        claimed = await this.#cycle();
        this.#errorsInRow = 0;
      } catch (err) {
        this.#errorsInRow++;
        this.#logger.error('outbox relay cycle failed', { workerId: this.workerId, error: describeError(err) });
        if (hasErrorCode(err, ErrorCodes.CLOSED)) {
          // The store was closed under the relay: nothing more can be claimed.
          this.#state = 'stopping';
          break;
        }
      }
      await this.#housekeeping();
      if (this.#state !== 'running') break;
      if (claimed > 0 && this.#errorsInRow === 0) continue;
      const pause =
        this.#errorsInRow === 0
          ? this.#opts.pollIntervalMs
          : Math.min(MAX_ERROR_SLEEP_MS, this.#opts.pollIntervalMs * 2 ** Math.min(this.#errorsInRow - 1, 10));
      await this.#sleep(pause);
    }
  }

  async #cycle(): Promise<number> {
    const rows = await this.#store.claim({
      workerId: this.workerId,
      limit: this.#opts.batchSize,
      leaseTtlMs: this.#opts.leaseTtlMs,
    });
    if (rows.length === 0) return 0;
    this.#metrics.observe(RelayMetrics.batchSize, rows.length);
    const leases = [...new Set(rows.map((r) => r.leaseId))];
    const renew = setInterval(
      () =>
        void this.#store.renew(this.workerId, leases).catch((err: unknown) => {
          this.#logger.warn('outbox relay could not renew its leases', { workerId: this.workerId, error: describeError(err) });
        }),
      Math.max(10, Math.floor(this.#opts.leaseTtlMs / 3)),
    );
    renew.unref();
    let outcome: PublishOutcome;
    try {
      outcome = await publishClaimed(this.#target, rows, this.#opts.isolateTenants);
    } finally {
      clearInterval(renew);
    }
    this.#metrics.observe(RelayMetrics.publishLatencyMs, outcome.durationMs);
    await this.#settle(rows, leases, outcome);
    return rows.length;
  }

  /**
   * Records what was published and what failed, in one compare-and-set on the leases. A tenant
   * counts as published up to its first unpublished row: rows a target accepted after a gap are
   * published again later (at-least-once), never marked ahead of an earlier unpublished row.
   */
  async #settle(rows: readonly ClaimedEvent[], leases: string[], outcome: PublishOutcome): Promise<void> {
    const dispatched: DispatchedRow[] = [];
    const failures: FailureUpdate[] = [];
    const stopped = new Set<string>();
    let unpublished = 0;
    for (const row of rows) {
      if (!stopped.has(row.tenantId)) {
        if (outcome.all || outcome.published.has(row.id)) {
          dispatched.push(row);
          continue;
        }
        // Only a tenant's earliest unpublished row counts an attempt; its later rows simply wait.
        stopped.add(row.tenantId);
        const attempts = row.attempts + 1;
        const failed = attempts >= this.#opts.maxAttempts;
        failures.push({
          id: row.id,
          attempts,
          failed,
          delayMs: failed ? 0 : backoffDelay(attempts, this.#backoff),
          error: describeError(outcome.failures.get(row.tenantId) ?? new Error('not published')),
        });
      }
      unpublished++;
    }
    const result = await this.#settleWithRetry({
      leases,
      dispatched,
      failures,
      deleteDispatched: this.#opts.retentionMs === 0,
    });
    if (dispatched.length > 0) this.#metrics.increment(RelayMetrics.published, dispatched.length);
    if (result.lostLeases.length > 0) {
      // Another relay took over expired leases: it publishes those tenants' rows again.
      this.#metrics.increment(RelayMetrics.leaseLost, result.lostLeases.length);
      this.#logger.warn('outbox relay lost tenant leases during a publish', {
        workerId: this.workerId,
        lost: result.lostLeases.length,
      });
    }
    if (failures.length === 0) return;
    const nowFailed = failures.filter((f) => f.failed);
    if (nowFailed.length > 0) this.#metrics.increment(RelayMetrics.rowsFailed, nowFailed.length);
    const codes = new Map<string, number>();
    for (const err of outcome.failures.values()) codes.set(errorCode(err), (codes.get(errorCode(err)) ?? 0) + 1);
    for (const [code, n] of codes) this.#metrics.increment(RelayMetrics.publishFailures, n, { code });
    this.#logger.warn('outbox relay could not publish some tenants', {
      workerId: this.workerId,
      tenants: failures.length,
      rows: unpublished,
      firstError: failures[0]?.error,
      nowFailed: nowFailed.map((f) => f.id),
    });
  }

  /**
   * Records a published batch, retrying a failed settlement a few times: the batch is already
   * published, and while it stays unrecorded its tenants are held by our leases until they
   * expire (and are then published again).
   */
  async #settleWithRetry(settlement: Settlement): Promise<SettleResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#store.settle(this.workerId, settlement);
      } catch (err) {
        if (attempt >= SETTLE_ATTEMPTS || hasErrorCode(err, ErrorCodes.CLOSED)) throw err;
        this.#logger.warn('outbox relay could not record a published batch; retrying', {
          workerId: this.workerId,
          attempt,
          error: describeError(err),
        });
        await new Promise((resolve) => setTimeout(resolve, SETTLE_RETRY_MS * 2 ** (attempt - 1)));
      }
    }
  }

  async #housekeeping(): Promise<void> {
    const now = Date.now();
    if (this.#opts.retentionMs > 0 && now - this.#lastPurge >= this.#opts.purgeIntervalMs) {
      this.#lastPurge = now;
      try {
        let total = 0;
        for (let i = 0; i < PURGE_ROUNDS && this.#state === 'running'; i++) {
          const n = await this.#store.purge(this.#opts.retentionMs, PURGE_BATCH);
          total += n;
          if (n < PURGE_BATCH) break;
        }
        if (total > 0) this.#metrics.increment(RelayMetrics.purged, total);
      } catch (err) {
        this.#logger.warn('outbox relay could not purge dispatched rows', { error: describeError(err) });
      }
    }
    if (now - this.#lastGauges >= this.#opts.metricsIntervalMs) {
      this.#lastGauges = now;
      try {
        const stats = await this.#store.stats();
        this.#metrics.gauge(RelayMetrics.lagMs, stats.oldestPendingAgeMs ?? 0);
        this.#metrics.gauge(RelayMetrics.pending, stats.pending);
        this.#metrics.gauge(RelayMetrics.failed, stats.failed);
      } catch (err) {
        this.#logger.warn('outbox relay could not read outbox stats', { error: describeError(err) });
      }
    }
  }

  async #beat(): Promise<void> {
    if (this.#state !== 'running') return;
    try {
      const ours = await this.#store.heartbeatWorker(this.#lease);
      if (!ours && this.#state === 'running') {
        this.#logger.error('outbox relay lost its worker registration to another relay; it stops claiming', {
          workerId: this.workerId,
        });
        this.#state = 'stopping';
        this.#poke();
      }
    } catch (err) {
      this.#logger.warn('outbox relay heartbeat failed', { workerId: this.workerId, error: describeError(err) });
    }
  }

  #poke(): void {
    this.#poked = true;
    this.#wakeSleeper?.();
  }

  #sleep(ms: number): Promise<void> {
    if (this.#poked) {
      this.#poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wakeSleeper = undefined;
        this.#poked = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wakeSleeper = done;
    });
  }
}

/** Creates a relay; call `start()` to run it and `stop()` to finish. */
export function createRelay(options: RelayOptions): OutboxRelay {
  return new OutboxRelay(options);
}
