import type { z } from 'zod';
import { ValidationError } from '../errors/index';
import { EnvelopeLimits } from './constants';
import { isDottedName, utf8Bytes } from './predicates';

/** A typed event definition: one version of one event type and the schema of its payload. */
export interface EventDefinition<T> {
  /** Dotted event name, e.g. `order.created`. */
  readonly type: string;
  /** Payload schema version, integer ≥ 1. */
  readonly version: number;
  /** Validates (and types) the payload. */
  readonly payload: z.ZodType<T>;
  /** Whether the event may carry the platform tenant (the nil UUID). */
  readonly platformScope: boolean;
  /** An Avro record schema as JSON, used by `@rustok/iggy`'s Avro codec when present. */
  readonly avro?: Record<string, unknown>;
}

/** What `defineEvent` takes. */
export interface DefineEventSpec<S extends z.ZodType> {
  type: string;
  version: number;
  payload: S;
  platformScope?: boolean;
  avro?: Record<string, unknown>;
}

/** Builds a frozen, typed event definition; throws `VALIDATION` for a bad name, version or schema. */
export function defineEvent<S extends z.ZodType>(
  spec: DefineEventSpec<S>,
): EventDefinition<z.infer<S>> {
  const { type, version, payload, platformScope = false, avro } = spec;
  if (typeof type !== 'string' || !isDottedName(type) || utf8Bytes(type) > EnvelopeLimits.typeBytes) {
    throw invalid('type', `event type must be a dotted name of 1–${EnvelopeLimits.typeBytes} bytes, e.g. "order.created"`);
  }
  if (!Number.isSafeInteger(version) || version < 1) {
    throw invalid('version', `event version of "${type}" must be an integer ≥ 1`);
  }
  if (typeof (payload as { safeParse?: unknown } | null)?.safeParse !== 'function') {
    throw invalid('payload', `payload of "${type}" v${version} must be a zod schema`);
  }
  if (typeof platformScope !== 'boolean') {
    throw invalid('platformScope', `platformScope of "${type}" v${version} must be a boolean`);
  }
  if (avro !== undefined && (typeof avro !== 'object' || avro === null || Array.isArray(avro))) {
    throw invalid('avro', `avro schema of "${type}" v${version} must be an object`);
  }
  const definition: EventDefinition<z.infer<S>> = {
    type,
    version,
    payload: payload as z.ZodType<z.infer<S>>,
    platformScope,
    ...(avro === undefined ? {} : { avro }),
  };
  return Object.freeze(definition);
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(message, { details: { field } });
}
