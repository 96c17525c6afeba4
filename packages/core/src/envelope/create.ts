import { ValidationCodes } from '../validation/codes';
import { ruleError } from '../validation/fail';
import { validateEnvelope } from '../validation/validate';
import type { EventDefinition } from './definition';
import { newEventId } from './id';
import type { EventEnvelope } from './types';

/** What `createEvent` takes besides the definition. */
export interface CreateEventInput<T> {
  tenantId: string;
  payload: T;
  /** Defaults to the new event's id. */
  correlationId?: string | undefined;
  causationId?: string | undefined;
  actorId?: string | undefined;
  traceId?: string | undefined;
  headers?: Record<string, string> | undefined;
  /** Defaults to now. A `Date` is written as ISO-8601 UTC. */
  occurredAt?: Date | string | undefined;
  /** Defaults to a new monotonic UUIDv7 (`newEventId()`). */
  id?: string | undefined;
}

/**
 * Builds a valid envelope for `def`: fills id, correlationId and occurredAt, then runs every
 * validation rule against the definition. Throws the first failing rule's `ValidationError`.
 */
export function createEvent<T>(def: EventDefinition<T>, input: CreateEventInput<T>): EventEnvelope<T> {
  const id = input.id ?? newEventId();
  const envelope: Record<string, unknown> = {
    id,
    type: def.type,
    schemaVersion: def.version,
    tenantId: input.tenantId,
    correlationId: input.correlationId ?? id,
    causationId: input.causationId,
    actorId: input.actorId,
    traceId: input.traceId,
    occurredAt: toTimestamp(input.occurredAt),
    headers: { ...(input.headers ?? {}) },
    payload: input.payload,
  };
  return validateEnvelope(envelope, {
    definition: def as EventDefinition<unknown>,
  }) as EventEnvelope<T>;
}

function toTimestamp(value: Date | string | undefined): unknown {
  if (value === undefined) return new Date().toISOString();
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) {
      throw ruleError(ValidationCodes.OCCURRED_AT, 'occurredAt', 'occurredAt is an invalid Date');
    }
    return value.toISOString();
  }
  return value;
}
