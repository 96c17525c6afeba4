import type { EventTransport, Logger, Metrics } from '@rustok/core';
import { z } from 'zod';
import type { RelayStore } from '../stores/types';
import { DEFAULT_BACKOFF } from './backoff';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Options of `createRelay`. Every number is configurable; defaults follow DESIGN §6. */
export const RelayOptionsSchema = z.object({
  /** The outbox to drain (`createSqliteOutbox` / `createPostgresOutbox`). */
  store: z.custom<RelayStore>(
    (v) => isObject(v) && typeof v.claim === 'function' && typeof v.settle === 'function',
    'store must be an outbox store (createSqliteOutbox or createPostgresOutbox)',
  ),
  /** Where events go, usually an `IggyTransport`. */
  target: z.custom<EventTransport>(
    (v) => isObject(v) && typeof v.publishBatch === 'function',
    'target must be an EventTransport',
  ),
  /** Unique among live relays of one outbox; defaults to `<host>-<pid>-<random>`. */
  workerId: z.string().min(1).max(200).optional(),
  /** Most rows per claimed batch. */
  batchSize: z.number().int().min(1).max(100_000).default(256),
  /** Idle wait between claims (relays on PostgreSQL also wake on NOTIFY). */
  pollIntervalMs: z.number().int().min(1).default(1000),
  /** A claim (and a worker registration) not renewed for this long is taken over. */
  leaseTtlMs: z.number().int().min(50).default(60_000),
  /** Failed attempts after which a row becomes `failed` (its tenant then waits for `requeue`). */
  maxAttempts: z.number().int().min(1).default(10),
  /** Backoff between attempts of one row. */
  backoff: z
    .object({
      baseMs: z.number().min(0).default(DEFAULT_BACKOFF.baseMs),
      maxMs: z.number().min(0).default(DEFAULT_BACKOFF.maxMs),
      jitter: z.number().min(0).max(1).default(DEFAULT_BACKOFF.jitter),
    })
    .prefault({}),
  /** Dispatched rows are deleted after this long; 0 deletes them as soon as they are published. */
  retentionMs: z.number().int().min(0).default(24 * 60 * 60 * 1000),
  /** How often old dispatched rows are purged. */
  purgeIntervalMs: z.number().int().min(1).default(60_000),
  /** How often the relay refreshes its worker registration; defaults to a third of `leaseTtlMs`. */
  heartbeatIntervalMs: z.number().int().min(1).optional(),
  /** How often gauges (lag, pending, failed) are reported. */
  metricsIntervalMs: z.number().int().min(1).default(5000),
  /** After a failed batch, retry tenant by tenant so one rejected tenant does not hold others back. */
  isolateTenants: z.boolean().default(true),
  logger: z.custom<Logger>((v) => isObject(v) && typeof v.warn === 'function').optional(),
  metrics: z.custom<Metrics>((v) => isObject(v) && typeof v.observe === 'function').optional(),
});

/** Options of `createRelay` (input form). */
export type RelayOptions = z.input<typeof RelayOptionsSchema>;
/** Options of `createRelay` with defaults applied. */
export type ResolvedRelayOptions = z.output<typeof RelayOptionsSchema>;
