import type { EventEnvelope, SerializedEvent } from '@rustok/core';

/** Lifecycle of an outbox row. `pending` rows wait for (or are in) a relay batch. */
export type OutboxStatus = 'pending' | 'dispatched' | 'failed';

/** The SQL dialect behind a store. */
export type OutboxDriver = 'sqlite' | 'postgres';

/** What a relay asks for when it claims a batch. */
export interface ClaimRequest {
  /** The claiming relay; written to `claimed_by`. */
  workerId: string;
  /** At most this many rows. */
  limit: number;
  /** A claim older than this is expired and may be taken over. */
  leaseTtlMs: number;
}

/** A row claimed by a relay, ready to publish. */
export interface ClaimedEvent {
  id: string;
  seq: number;
  tenantId: string;
  /**
   * Names the lease of this tenant in this batch, for `renew` and `settle`: on PostgreSQL the id
   * of the tenant's first row in the batch (its earliest unpublished row, whose
   * `claimed_by`/`claimed_at` lease the whole tenant), on SQLite the tenant id.
   */
  leaseId: string;
  /** Failed attempts so far. */
  attempts: number;
  envelope: EventEnvelope;
  /** The row as stored JSON, when the store keeps the envelope as text (SQLite): the relay hands it on as is. */
  serialized?: SerializedEvent;
  createdAt: Date;
}

/** The outcome of a failed publish for one row (a tenant's earliest unpublished row). */
export interface FailureUpdate {
  id: string;
  /** The new attempt count. */
  attempts: number;
  /** True when `attempts` reached the maximum: the row becomes `failed`. */
  failed: boolean;
  /** Delay before the next attempt, when not failed. */
  delayMs: number;
  /** Error text; stores truncate it to 2 KB. */
  error: string;
}

/** A row of a batch that the target accepted, as the relay reports it to `settle`. */
export interface DispatchedRow {
  id: string;
  seq: number;
  tenantId: string;
}

/** How a relay records the outcome of a batch in one transaction. */
export interface Settlement {
  /** Leases of the batch (one per tenant); only tenants whose lease is still ours are touched. */
  leases: readonly string[];
  /**
   * Rows accepted by the target, for each tenant a prefix of its rows in the batch (in `seq`
   * order, starting at the tenant's earliest unpublished row): they become dispatched (or are
   * deleted when `deleteDispatched`).
   */
  dispatched: readonly DispatchedRow[];
  /** One per tenant that failed: its earliest unpublished row. */
  failures: readonly FailureUpdate[];
  deleteDispatched: boolean;
}

/** What `settle` did. */
export interface SettleResult {
  dispatched: number;
  failed: number;
  /** Leases no longer held by this relay (taken over after expiry): their tenants were left alone. */
  lostLeases: string[];
}

/** Counts and age of the oldest pending row; `dispatched` counts rows kept for retention. */
export interface OutboxStats {
  pending: number;
  failed: number;
  /** Tenant leases currently held by live relays. */
  claimed: number;
  dispatched: number;
  /** Age of the oldest pending row in ms, or null when nothing is pending. */
  oldestPendingAgeMs: number | null;
}

/** A row in `failed` state, as listed for an operator. */
export interface FailedEvent {
  id: string;
  seq: number;
  tenantId: string;
  eventType: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  envelope: EventEnvelope;
}

/** Filters of `listFailed`. */
export interface ListFailedOptions {
  tenantId?: string;
  /** At most this many rows, oldest first (default 100). */
  limit?: number;
}

/** A relay's registration on the database, refreshed by heartbeats. */
export interface WorkerLease {
  workerId: string;
  /** Unique per relay object, so a second relay with the same worker id is told apart. */
  instanceId: string;
  host: string;
  pid: number;
  /** A heartbeat older than this is stale: its relay is presumed dead. */
  ttlMs: number;
}

/** The registration row found for a worker id, as seen when acquiring it. */
export interface WorkerRecord {
  workerId: string;
  instanceId: string;
  host: string;
  pid: number;
  /** True when the heartbeat is younger than the TTL. */
  fresh: boolean;
}

/** Decides whether an existing registration may be taken over (its relay is gone). */
export type WorkerTakeover = (existing: WorkerRecord) => boolean;

/** Something that wakes a relay early (LISTEN/NOTIFY, or in-process writes); `close()` stops it. */
export interface WakeSource {
  close(): Promise<void>;
}

/**
 * The relay's view of an outbox table, one implementation per SQL dialect. All methods are
 * compare-and-set on the lease (`claimed_by`) where they touch claimed tenants.
 */
export interface RelayStore {
  readonly driver: OutboxDriver;
  /** Identifies table and database within this process (used to refuse duplicate worker ids). */
  readonly key: string;
  /**
   * Claims up to `limit` rows: for each claimable tenant (its earliest unpublished row is pending,
   * due, and not leased by a live relay) a prefix of its unpublished rows, stopping at the first
   * row that is not claimable. The tenant is leased to `workerId` (see `ClaimedEvent.leaseId`);
   * no other relay claims a leased tenant. Rows come back in `seq` order.
   */
  claim(request: ClaimRequest): Promise<ClaimedEvent[]>;
  /**
   * Records a batch's outcome in one transaction, compare-and-set on the leases: rows of tenants
   * whose lease row is no longer claimed by `workerId` are left untouched (another relay owns
   * them now). Dispatched rows and failed rows release their lease.
   */
  settle(workerId: string, settlement: Settlement): Promise<SettleResult>;
  /** Extends leases still held by `workerId`; returns how many. */
  renew(workerId: string, leaseIds: readonly string[]): Promise<number>;
  /** Releases every lease of `workerId` (after a restart of that worker). */
  releaseAll(workerId: string): Promise<number>;
  /** Deletes up to `limit` dispatched rows older than `olderThanMs`; returns how many. */
  purge(olderThanMs: number, limit: number): Promise<number>;
  /** Row counts and the age of the oldest pending row. */
  stats(): Promise<OutboxStats>;
  /** Rows in `failed` state, oldest first. */
  listFailed(options?: ListFailedOptions): Promise<FailedEvent[]>;
  /** Puts failed rows back to pending with zero attempts; returns how many changed. */
  requeue(ids: readonly string[]): Promise<number>;
  /**
   * Registers `lease` for its worker id; an existing fresh registration of another instance is
   * kept (and `WorkerIdInUseError` thrown) unless `takeover` says its relay is gone.
   */
  acquireWorker(lease: WorkerLease, takeover: WorkerTakeover): Promise<void>;
  /** Refreshes the heartbeat; false when the registration was lost to another instance. */
  heartbeatWorker(lease: WorkerLease): Promise<boolean>;
  /** Removes the registration if it is still ours. */
  releaseWorker(lease: WorkerLease): Promise<void>;
  /** Calls `onWake` when new rows may be claimable (best effort; relays also poll). */
  watch(onWake: () => void): Promise<WakeSource>;
}

/**
 * Writes envelopes to the outbox asynchronously, in the caller's transaction when `tx` is given
 * or in a transaction of its own otherwise. Both stores implement it; `OutboxTransport` uses it.
 */
export interface OutboxAppender<Tx = unknown> {
  readonly driver: OutboxDriver;
  append(events: readonly EventEnvelope[], tx?: Tx): Promise<void>;
  /** Counts and lag, for health reports. */
  stats(): Promise<OutboxStats>;
}

/** Result of `migrate()`: the versions applied by this call (empty when already up to date). */
export interface MigrationResult {
  applied: number[];
  /** The schema version after the call. */
  version: number;
}

/** Result of `writeOnce`: ids newly inserted, and ids that already existed with equal content. */
export interface WriteOnceResult {
  inserted: string[];
  existing: string[];
}
