import {
  ErrorCodes,
  type EventEnvelope,
  type EventRegistry,
  RustokError,
  SerializationError,
  validateEnvelope,
} from '@rustok/core';
import { canonicalJson } from './canonical';

/** One validated envelope ready to be inserted: its columns and its JSON text. */
export interface PreparedEvent {
  id: string;
  tenantId: string;
  type: string;
  schemaVersion: number;
  envelope: EventEnvelope;
  /** The envelope as JSON, stored in the `envelope` column. */
  json: string;
}

/** How a batch treats a repeated id: `write` rejects it, `writeOnce` keeps one copy if equal. */
export type DuplicateMode = 'reject' | 'once';

/**
 * Validates every envelope (core rules, with the registry when given) before anything is written,
 * serialises each to JSON, and resolves ids repeated inside the batch: `reject` → `ALREADY_EXISTS`;
 * `once` → equal copies collapse to one, different content → `CONFLICT`.
 */
export function prepareEvents(
  events: EventEnvelope | readonly EventEnvelope[],
  registry: EventRegistry | undefined,
  mode: DuplicateMode,
): PreparedEvent[] {
  const list: readonly unknown[] = Array.isArray(events) ? events : [events];
  const prepared: PreparedEvent[] = [];
  const byId = new Map<string, PreparedEvent>();
  for (const input of list) {
    const envelope = validateEnvelope(input, { registry });
    const event: PreparedEvent = {
      id: envelope.id,
      tenantId: envelope.tenantId,
      type: envelope.type,
      schemaVersion: envelope.schemaVersion,
      envelope,
      json: serialize(envelope),
    };
    const seen = byId.get(event.id);
    if (seen !== undefined) {
      if (mode === 'reject') throw alreadyExists(event.id);
      if (!sameContent(seen.envelope, event.envelope)) throw conflict(event.id);
      continue;
    }
    byId.set(event.id, event);
    prepared.push(event);
  }
  return prepared;
}

/** True when two envelopes hold the same content, ignoring key order. */
export function sameContent(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** The `CONFLICT` error of a write-once whose id exists with different content. */
export function conflict(id: string): RustokError {
  return new RustokError(
    ErrorCodes.CONFLICT,
    `event ${id} is already in the outbox with different content`,
    { details: { id } },
  );
}

/** The `ALREADY_EXISTS` error of a plain write whose id is already in the outbox. */
export function alreadyExists(id: string | undefined, cause?: unknown): RustokError {
  return new RustokError(
    ErrorCodes.ALREADY_EXISTS,
    id === undefined
      ? 'an event with the same id is already in the outbox (use writeOnce() for idempotent writes)'
      : `event ${id} is already in the outbox (use writeOnce() for idempotent writes)`,
    { cause, details: id === undefined ? {} : { id } },
  );
}

function serialize(envelope: EventEnvelope): string {
  try {
    return JSON.stringify(envelope);
  } catch (cause) {
    throw new SerializationError(`event ${envelope.id} cannot be serialised to JSON`, {
      cause,
      details: { id: envelope.id },
    });
  }
}
