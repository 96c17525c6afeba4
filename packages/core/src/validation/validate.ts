import type { EventDefinition } from '../envelope/definition';
import type { EventEnvelope } from '../envelope/types';
import type { EventRegistry } from '../registry/registry';
import {
  checkId,
  checkOccurredAt,
  checkPayload,
  checkRelation,
  checkSchemaVersion,
  checkShape,
  checkTenant,
  checkTraceId,
  checkType,
  resolveDefinition,
} from './rules';

/** What to validate an envelope against, beyond its own field rules. */
export interface ValidateEnvelopeOptions {
  /** Look the definition up here: the type and version must be registered. */
  registry?: EventRegistry | undefined;
  /** Validate against this definition (takes precedence over `registry`). */
  definition?: EventDefinition<unknown> | undefined;
}

/**
 * Validates an envelope and returns a fresh copy holding only the envelope's fields (the payload
 * as parsed by the definition's schema when there is one). Throws the `ValidationError` of the
 * first failing rule: shape → id → type → schemaVersion → registry → tenant → correlationId →
 * causationId → actorId → traceId → occurredAt → payload. Without a registry or definition the
 * tenant-scope and payload rules are skipped.
 */
export function validateEnvelope(
  input: unknown,
  options: ValidateEnvelopeOptions = {},
): EventEnvelope {
  const env = checkShape(input);
  checkId(env.id);
  checkType(env.type);
  checkSchemaVersion(env.schemaVersion);
  const definition = resolveDefinition(env.type, env.schemaVersion, options.registry, options.definition);
  checkTenant(env.tenantId, definition);
  checkRelation('correlationId', env.correlationId);
  checkRelation('causationId', env.causationId);
  checkRelation('actorId', env.actorId);
  checkTraceId(env.traceId);
  checkOccurredAt(env.occurredAt);
  const payload = definition === undefined ? env.payload : checkPayload(env.payload, definition);

  const out: EventEnvelope = {
    id: env.id,
    type: env.type,
    schemaVersion: env.schemaVersion,
    tenantId: env.tenantId,
    correlationId: env.correlationId,
    occurredAt: env.occurredAt,
    headers: { ...env.headers },
    payload,
  };
  if (env.causationId !== undefined) out.causationId = env.causationId;
  if (env.actorId !== undefined) out.actorId = env.actorId;
  if (env.traceId !== undefined) out.traceId = env.traceId;
  return out;
}
