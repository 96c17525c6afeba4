import type { EventEnvelope } from '@rustok/core';
import { ErrorCodes } from '@rustok/core';
import type { PolledMessage } from '@rustok/iggy-connector';
import { type EventHeaders, readEventHeaders } from '../../codec/headers';
import type { ResolvedConsumeOptions } from '../options';
import { backoffDelay } from '../retry/backoff';
import type { Permit } from '../scheduling/key-scheduler';
import type { ConsumerDeps, DeadLetterInput } from '../types';
import { AttemptContext } from './attempt-context';
import {
  type AttemptRunner,
  type FailureInfo,
  TENANT_PARKED,
  toFailure,
} from './outcome';
import type { ParkingLot } from './parking';
import { sleep } from './sleep';

/** Everything processing needs to know about the partition a message came from. */
export interface PartitionScope {
  deps: ConsumerDeps;
  group: string;
  topic: string;
  partition: number;
  options: ResolvedConsumeOptions;
  runner: AttemptRunner;
  parking: ParkingLot;
  /** Aborted when the partition stops (revoke or close). */
  stopping: AbortSignal;
  /** Offsets at or below this were polled earlier by this process: they count as redelivered. */
  seenUpTo: bigint;
}

type Decoded = { envelope: EventEnvelope } | { error: FailureInfo };

/** A polled message with what was learnt before scheduling it. */
export interface PreparedMessage {
  message: PolledMessage;
  meta: EventHeaders;
  /** Ordering key: the tenant id (header first), or a unique key when none is known. */
  key: string;
  decoded?: Decoded;
}

/** Policy for retrying a failing DLQ write (it is retried until it succeeds or the partition stops). */
const DLQ_WRITE_BACKOFF = {
  backoff: 'exponential-jitter',
  initialDelayMs: 100,
  maxDelayMs: 5000,
} as const;

function decode(scope: PartitionScope, message: PolledMessage): Decoded {
  try {
    return { envelope: scope.deps.decode(message, scope.topic) };
  } catch (error) {
    return { error: toFailure(error, ErrorCodes.DECODE_FAILED) };
  }
}

function wanted(scope: PartitionScope, type: string): boolean {
  const types = scope.options.types;
  return types === undefined || types.includes(type);
}

/**
 * Reads headers and picks the ordering key; returns null for a message the `types` filter skips
 * (decided from the `rustok-event-type` header when present, so no decoding is needed).
 */
export function prepareMessage(scope: PartitionScope, message: PolledMessage): PreparedMessage | null {
  const meta = readEventHeaders(message.headers, message.rawHeaders);
  if (meta.eventType !== undefined && !wanted(scope, meta.eventType)) return null;
  if (meta.tenantId !== undefined) return { message, meta, key: `t:${meta.tenantId}` };
  const decoded = decode(scope, message);
  if ('envelope' in decoded) {
    if (!wanted(scope, decoded.envelope.type)) return null;
    return { message, meta, key: `t:${decoded.envelope.tenantId}`, decoded };
  }
  return { message, meta, key: `o:${message.offset}`, decoded };
}

/** Metric label sets per scope, built once: metrics are recorded for every attempt. */
const labelCache = new WeakMap<PartitionScope, Map<string, Readonly<Record<string, string>>>>();

/** `{ topic, group }` of the scope, plus `extra: value` when `extra` is given; shared and frozen. */
function cachedLabels(scope: PartitionScope, extra?: string, value = ''): Readonly<Record<string, string>> {
  let sets = labelCache.get(scope);
  if (sets === undefined) {
    sets = new Map();
    labelCache.set(scope, sets);
  }
  const key = extra === undefined ? '' : `${extra}=${value}`;
  let found = sets.get(key);
  if (found === undefined) {
    const base = { topic: scope.topic, group: scope.group };
    found = Object.freeze(extra === undefined ? base : { ...base, [extra]: value });
    sets.set(key, found);
  }
  return found;
}

function labels(scope: PartitionScope): Record<string, string> {
  return { topic: scope.topic, group: scope.group };
}

function where(scope: PartitionScope, message: PolledMessage): Record<string, unknown> {
  return {
    group: scope.group,
    topic: scope.topic,
    partition: scope.partition,
    offset: message.offset.toString(),
  };
}

/**
 * Processes one prepared message to the end: decode, parking rule, attempts with backoff, and the
 * DLQ. Resolves true when the offset is finished (handled, skipped or dead-lettered) and false
 * when it was abandoned because the partition is stopping (it will be delivered again).
 */
export async function processMessage(
  scope: PartitionScope,
  prepared: PreparedMessage,
  permit: Permit,
): Promise<boolean> {
  const { message, meta } = prepared;
  const decoded = prepared.decoded ?? decode(scope, message);
  if ('error' in decoded) {
    const now = new Date();
    return finalFailure(scope, prepared, decoded.error, 0, now, now, undefined, permit);
  }
  const envelope = decoded.envelope;
  if (!wanted(scope, envelope.type)) return true;
  const tenant = meta.tenantId ?? envelope.tenantId;

  if (scope.parking.parkedAt(scope.topic, tenant) !== undefined) {
    if (meta.redriveCount > 0) {
      scope.parking.unpark(scope.topic, tenant);
      scope.deps.logger.info('tenant unparked by a redriven event', where(scope, message));
    } else {
      const now = new Date();
      const error = {
        code: TENANT_PARKED,
        message: `tenant is parked after an earlier dead letter on ${scope.topic}`,
      };
      return finalFailure(scope, prepared, error, 0, now, now, undefined, permit);
    }
  }

  const { maxAttempts } = scope.options.retry;
  let firstFailureAt: Date | undefined;
  for (let attempt = 1; ; attempt++) {
    if (scope.stopping.aborted) return false;
    const controller = new AbortController();
    const ctx = new AttemptContext(
      {
        attempt,
        redelivered: attempt > 1 || meta.redriveCount > 0 || message.offset <= scope.seenUpTo,
        group: scope.group,
        traceparent: meta.traceparent ?? envelope.headers?.traceparent,
        topic: scope.topic,
        partition: scope.partition,
        offset: message.offset,
      },
      controller,
    );
    const started = performance.now();
    const outcome = await scope.runner(envelope, ctx, { controller, stopping: scope.stopping });
    scope.deps.metrics.observe(
      'rustok.consumer.handler.duration_ms',
      performance.now() - started,
      cachedLabels(scope, 'outcome', outcome.kind),
    );
    if (outcome.kind === 'ack') return true;
    if (outcome.kind === 'abandon') return false;
    const now = new Date();
    firstFailureAt ??= now;
    if (outcome.kind === 'dead-letter' || attempt >= maxAttempts) {
      return finalFailure(scope, prepared, outcome.error, attempt, firstFailureAt, now, tenant, permit);
    }
    scope.deps.metrics.increment('rustok.consumer.retries', 1, cachedLabels(scope));
    scope.deps.logger.debug('handler attempt failed; retrying', {
      ...where(scope, message),
      attempt,
      code: outcome.error.code,
      error: outcome.error.message,
    });
    const delay = outcome.delayMs ?? backoffDelay(scope.options.retry, attempt);
    if (!(await permit.pause(sleep(delay, scope.stopping)))) return false;
  }
}

/**
 * Ends a message that cannot be handled: writes it to the DLQ (retrying the write until it
 * succeeds or the partition stops), or logs and skips it with `deadLetter: false`; then parks
 * `parkTenant` when the policy says so.
 */
async function finalFailure(
  scope: PartitionScope,
  prepared: PreparedMessage,
  error: FailureInfo,
  attempts: number,
  firstFailureAt: Date,
  lastFailureAt: Date,
  parkTenant: string | undefined,
  permit: Permit,
): Promise<boolean> {
  const { deps } = scope;
  const { message } = prepared;
  const fields = { ...where(scope, message), code: error.code, error: error.message, attempts };
  if (!scope.options.deadLetter) {
    deps.logger.error('event failed and is skipped (deadLetter: false)', fields);
    deps.metrics.increment('rustok.consumer.skipped', 1, { ...labels(scope), code: error.code });
  } else {
    const input: DeadLetterInput = {
      group: scope.group,
      sourceTopic: scope.topic,
      partition: scope.partition,
      offset: message.offset,
      message,
      error,
      attempts,
      firstFailureAt,
      lastFailureAt,
    };
    for (let write = 1; ; write++) {
      try {
        await deps.deadLetter(input);
        break;
      } catch (writeError) {
        deps.logger.error('dead-letter write failed; retrying', {
          ...fields,
          writeError: toFailure(writeError).message,
        });
        const delay = backoffDelay(DLQ_WRITE_BACKOFF, write);
        if (!(await permit.pause(sleep(delay, scope.stopping)))) return false;
      }
    }
    deps.logger.warn('event dead-lettered', fields);
    deps.metrics.increment('rustok.consumer.dead_letters', 1, { ...labels(scope), code: error.code });
  }
  if (parkTenant !== undefined && scope.options.onDeadLetter === 'park-tenant') {
    scope.parking.park(scope.topic, parkTenant, message.offset);
    deps.logger.warn('tenant parked until a redriven event of it arrives', where(scope, message));
  }
  return true;
}
