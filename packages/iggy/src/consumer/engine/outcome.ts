import type { EventEnvelope, HandlerContext } from '@rustok/core';
import { isRustokError } from '@rustok/core';

/** Why an attempt or a message failed, as recorded in logs and DLQ entries. */
export interface FailureInfo {
  code: string;
  message: string;
}

/** What one delivery attempt decided. `abandon` leaves the offset unfinished (redelivered later). */
export type AttemptOutcome =
  | { kind: 'ack' }
  | { kind: 'retry'; error: FailureInfo; delayMs?: number }
  | { kind: 'dead-letter'; error: FailureInfo }
  | { kind: 'abandon' };

/** Controls handed to one attempt. */
export interface AttemptControl {
  /** Aborts `ctx.signal` (its signal is the one in `ctx`). */
  controller: AbortController;
  /** Aborted when the partition stops (revoke or close). */
  stopping: AbortSignal;
}

/** Runs one delivery attempt of a decoded event (handler form or iterator form). */
export type AttemptRunner = (
  event: EventEnvelope,
  ctx: HandlerContext,
  control: AttemptControl,
) => Promise<AttemptOutcome>;

/** Code used when a handler throws something that carries no code of its own. */
export const HANDLER_FAILED = 'HANDLER_FAILED';
/** Code of events dead-lettered because their tenant is parked. */
export const TENANT_PARKED = 'TENANT_PARKED';
/** Code of events the iterator form dead-lettered explicitly. */
export const DEAD_LETTERED = 'DEAD_LETTERED';

/** Longest error message kept in logs and DLQ inputs. */
const MAX_MESSAGE = 2048;

/** Turns anything thrown into a `{ code, message }` pair. */
export function toFailure(error: unknown, fallbackCode = HANDLER_FAILED): FailureInfo {
  const code = isRustokError(error) ? error.code : fallbackCode;
  const message =
    error instanceof Error ? error.message : typeof error === 'string' ? error : String(error);
  return { code, message: message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE) : message };
}
