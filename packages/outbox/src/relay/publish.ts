import { ErrorCodes, type EventTransport, hasErrorCode, isRustokError, type SerializedEvent } from '@rustok/core';
import type { ClaimedEvent } from '../stores/types';

/** What happened to a claimed batch: ids accepted by the target, and the error per failed tenant. */
export interface PublishOutcome {
  /** True when the whole batch was accepted in one call (then `published` holds every id). */
  all: boolean;
  published: Set<string>;
  /** Tenants with at least one unpublished row, and the error that stopped them. */
  failures: Map<string, unknown>;
  durationMs: number;
}

// Errors that say the target as a whole is unavailable: retrying tenant by tenant would not help.
const TRANSPORT_WIDE: ReadonlySet<string> = new Set([
  ErrorCodes.CONNECTION,
  ErrorCodes.TIMEOUT,
  ErrorCodes.CLOSED,
  ErrorCodes.BACKPRESSURE,
  ErrorCodes.AUTH_FAILED,
]);

/**
 * Sends rows with one call: `publishSerialized` when the target has it and every row came with
 * its stored JSON (no parsing, no second validation), otherwise `publishBatch` of the envelopes.
 */
function send(target: EventTransport, rows: readonly ClaimedEvent[]): Promise<unknown> {
  if (target.publishSerialized !== undefined && rows.every((r) => r.serialized !== undefined)) {
    return target.publishSerialized(rows.map((r) => r.serialized as SerializedEvent));
  }
  return target.publishBatch(rows.map((r) => r.envelope));
}

/**
 * Publishes claimed rows (in `seq` order) with one call (see `send`). On failure, ids listed by a
 * `PARTIAL_PUBLISH` count as published; then, unless the error is transport-wide, the remaining
 * rows are retried tenant by tenant, so a tenant the target rejects fails alone.
 */
export async function publishClaimed(
  target: EventTransport,
  rows: readonly ClaimedEvent[],
  isolateTenants: boolean,
): Promise<PublishOutcome> {
  const started = performance.now();
  const failures = new Map<string, unknown>();
  let published: Set<string>;
  try {
    await send(target, rows);
    published = new Set(rows.map((r) => r.id));
    return { all: true, published, failures, durationMs: performance.now() - started };
  } catch (err) {
    published = new Set<string>();
    addPartial(err, rows, published);
    const groups = byTenant(rows.filter((r) => !published.has(r.id)));
    if (isolateTenants && groups.size > 1 && !isTransportWide(err)) {
      await Promise.all(
        [...groups].map(async ([tenantId, list]) => {
          try {
            await send(target, list);
            for (const r of list) published.add(r.id);
          } catch (tenantErr) {
            addPartial(tenantErr, list, published);
            if (list.some((r) => !published.has(r.id))) failures.set(tenantId, tenantErr);
          }
        }),
      );
    } else {
      for (const tenantId of groups.keys()) failures.set(tenantId, err);
    }
  }
  return { all: false, published, failures, durationMs: performance.now() - started };
}

/** Text stored in `last_error` for an error: its code (when a RustokError) and message. */
export function describeError(err: unknown): string {
  if (isRustokError(err)) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** A low-cardinality label for metrics: the error code, or `UNKNOWN`. */
export function errorCode(err: unknown): string {
  return isRustokError(err) ? err.code : 'UNKNOWN';
}

function isTransportWide(err: unknown): boolean {
  return isRustokError(err) && TRANSPORT_WIDE.has(err.code);
}

function addPartial(err: unknown, rows: readonly ClaimedEvent[], published: Set<string>): void {
  if (!hasErrorCode(err, ErrorCodes.PARTIAL_PUBLISH)) return;
  const ids = (err as { publishedIds?: unknown }).publishedIds;
  if (!Array.isArray(ids)) return;
  const mine = new Set(rows.map((r) => r.id));
  for (const id of ids) if (typeof id === 'string' && mine.has(id)) published.add(id);
}

function byTenant(rows: readonly ClaimedEvent[]): Map<string, ClaimedEvent[]> {
  const map = new Map<string, ClaimedEvent[]>();
  for (const r of rows) {
    const list = map.get(r.tenantId);
    if (list === undefined) map.set(r.tenantId, [r]);
    else list.push(r);
  }
  return map;
}
