import { EnvelopeLimits, PLATFORM_TENANT } from '../envelope/constants';
import type { EventDefinition } from '../envelope/definition';
import {
  describeType,
  isDottedName,
  isIsoUtcTimestamp,
  isNilUuid,
  isNonBlank,
  isPlainObject,
  isUuidV7,
  utf8Bytes,
} from '../envelope/predicates';
import type { EventRegistry } from '../registry/registry';
import { ValidationCodes } from './codes';
import { ruleError } from './fail';

/** The envelope's fields with the right JS types, before the per-field rules ran. */
export interface ShapedEnvelope {
  id: string;
  type: string;
  schemaVersion: number;
  tenantId: string;
  correlationId: string;
  causationId: string | undefined;
  actorId: string | undefined;
  traceId: string | undefined;
  occurredAt: string;
  headers: Record<string, string>;
  payload: unknown;
}

type FieldKind = 'string' | 'number' | 'optional-string';

const FIELDS: ReadonlyArray<readonly [keyof ShapedEnvelope, FieldKind]> = [
  ['id', 'string'],
  ['type', 'string'],
  ['schemaVersion', 'number'],
  ['tenantId', 'string'],
  ['correlationId', 'string'],
  ['causationId', 'optional-string'],
  ['actorId', 'optional-string'],
  ['traceId', 'optional-string'],
  ['occurredAt', 'string'],
];

/** Rule 1, shape: a plain object whose fields have the envelope's JS types. */
export function checkShape(input: unknown): ShapedEnvelope {
  if (!isPlainObject(input)) {
    throw ruleError(
      ValidationCodes.SHAPE,
      'envelope',
      `envelope must be a plain object, got ${describeType(input)}`,
      { received: describeType(input) },
    );
  }
  for (let i = 0; i < FIELDS.length; i++) {
    const [field, kind] = FIELDS[i] as (typeof FIELDS)[number];
    const value = input[field];
    const ok =
      kind === 'optional-string'
        ? value === undefined || typeof value === 'string'
        : typeof value === kind;
    if (!ok) {
      const expected = kind === 'optional-string' ? 'a string when present' : `a ${kind}`;
      const got = value === undefined ? 'it is missing' : `got ${describeType(value)}`;
      throw ruleError(ValidationCodes.SHAPE, field, `envelope.${field} must be ${expected}, ${got}`, {
        received: describeType(value),
      });
    }
  }
  const headers = input.headers;
  if (!isPlainObject(headers)) {
    throw ruleError(
      ValidationCodes.SHAPE,
      'headers',
      `envelope.headers must be a plain object of strings, got ${describeType(headers)}`,
      { received: describeType(headers) },
    );
  }
  const keys = Object.keys(headers);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = headers[key];
    if (typeof value !== 'string') {
      throw ruleError(
        ValidationCodes.SHAPE,
        'headers',
        `envelope.headers["${key}"] must be a string, got ${describeType(value)}`,
        { key, received: describeType(value) },
      );
    }
  }
  if (input.payload === undefined) {
    throw ruleError(ValidationCodes.SHAPE, 'payload', 'envelope.payload is missing');
  }
  return input as unknown as ShapedEnvelope;
}

/** Rule 2, `id`: a UUIDv7, not nil. */
export function checkId(id: string): void {
  if (isNilUuid(id)) {
    throw ruleError(ValidationCodes.ID, 'id', 'envelope.id must not be the nil UUID');
  }
  if (!isUuidV7(id)) {
    throw ruleError(ValidationCodes.ID, 'id', 'envelope.id must be a UUIDv7 string');
  }
}

/** Rule 3, `type`: a dotted name of 1–255 UTF-8 bytes. */
export function checkType(type: string): void {
  const bytes = utf8Bytes(type);
  if (bytes === 0 || bytes > EnvelopeLimits.typeBytes) {
    throw ruleError(
      ValidationCodes.TYPE,
      'type',
      `envelope.type must be 1–${EnvelopeLimits.typeBytes} bytes, got ${bytes}`,
      { bytes },
    );
  }
  if (!isDottedName(type)) {
    throw ruleError(
      ValidationCodes.TYPE,
      'type',
      'envelope.type must be a dotted name such as "order.created" (letters, digits, "_", "-")',
    );
  }
}

/** Rule 4, `schemaVersion`: an integer ≥ 1. */
export function checkSchemaVersion(version: number): void {
  if (!Number.isSafeInteger(version) || version < 1) {
    throw ruleError(
      ValidationCodes.SCHEMA_VERSION,
      'schemaVersion',
      `envelope.schemaVersion must be an integer ≥ 1, got ${String(version)}`,
    );
  }
}

/**
 * Rule 5, registry: finds the definition of (type, version) — the given definition, else the
 * registry's — and returns it, or `undefined` when neither was given.
 */
export function resolveDefinition(
  type: string,
  version: number,
  registry: EventRegistry | undefined,
  definition: EventDefinition<unknown> | undefined,
): EventDefinition<unknown> | undefined {
  if (definition !== undefined) {
    if (definition.type !== type) {
      throw ruleError(
        ValidationCodes.UNKNOWN_TYPE,
        'type',
        `envelope.type "${type}" does not match the definition's type "${definition.type}"`,
      );
    }
    if (definition.version !== version) {
      throw ruleError(
        ValidationCodes.UNKNOWN_VERSION,
        'schemaVersion',
        `envelope.schemaVersion ${version} of "${type}" does not match the definition's version ${definition.version}`,
      );
    }
    return definition;
  }
  if (registry === undefined) return undefined;
  if (!registry.has(type)) {
    throw ruleError(ValidationCodes.UNKNOWN_TYPE, 'type', `event type "${type}" is not registered`);
  }
  const found = registry.get(type, version);
  if (found === undefined) {
    const known = registry.versions(type);
    throw ruleError(
      ValidationCodes.UNKNOWN_VERSION,
      'schemaVersion',
      `event type "${type}" has no registered version ${version} (registered: ${known.join(', ')})`,
      { registeredVersions: known },
    );
  }
  return found;
}

/** Rule 6, tenant: 1–255 bytes; the platform tenant only for platform-scoped definitions. */
export function checkTenant(tenantId: string, definition: EventDefinition<unknown> | undefined): void {
  const bytes = utf8Bytes(tenantId);
  if (bytes === 0 || bytes > EnvelopeLimits.tenantBytes) {
    throw ruleError(
      ValidationCodes.TENANT,
      'tenantId',
      `envelope.tenantId must be 1–${EnvelopeLimits.tenantBytes} bytes, got ${bytes}`,
      { bytes },
    );
  }
  if (definition !== undefined && tenantId === PLATFORM_TENANT && !definition.platformScope) {
    throw ruleError(
      ValidationCodes.TENANT_SCOPE,
      'tenantId',
      `envelope.tenantId is the platform tenant, but "${definition.type}" v${definition.version} is not platform-scoped`,
    );
  }
}

type RelationField = 'correlationId' | 'causationId' | 'actorId';

const RELATION_CODES = {
  correlationId: ValidationCodes.CORRELATION_ID,
  causationId: ValidationCodes.CAUSATION_ID,
  actorId: ValidationCodes.ACTOR_ID,
} as const;

/** Rule 7, `correlationId` / `causationId` / `actorId`: non-empty and not the nil UUID when present. */
export function checkRelation(field: RelationField, value: string | undefined): void {
  if (value === undefined) return;
  if (value.length === 0) {
    throw ruleError(RELATION_CODES[field], field, `envelope.${field} must not be empty`);
  }
  if (isNilUuid(value)) {
    throw ruleError(RELATION_CODES[field], field, `envelope.${field} must not be the nil UUID`);
  }
}

/** Rule 8, `traceId`: non-blank and at most 512 bytes when present. */
export function checkTraceId(traceId: string | undefined): void {
  if (traceId === undefined) return;
  if (!isNonBlank(traceId)) {
    throw ruleError(ValidationCodes.TRACE_ID, 'traceId', 'envelope.traceId must not be blank');
  }
  const bytes = utf8Bytes(traceId);
  if (bytes > EnvelopeLimits.traceIdBytes) {
    throw ruleError(
      ValidationCodes.TRACE_ID,
      'traceId',
      `envelope.traceId must be at most ${EnvelopeLimits.traceIdBytes} bytes, got ${bytes}`,
      { bytes },
    );
  }
}

/** Rule 9, `occurredAt`: an ISO-8601 UTC timestamp. */
export function checkOccurredAt(occurredAt: string): void {
  if (!isIsoUtcTimestamp(occurredAt)) {
    throw ruleError(
      ValidationCodes.OCCURRED_AT,
      'occurredAt',
      'envelope.occurredAt must be an ISO-8601 UTC timestamp such as "2025-01-31T12:00:00.000Z"',
    );
  }
}

/** Rule 10, payload: parsed by the definition's zod schema; returns the parsed value. */
export function checkPayload(payload: unknown, definition: EventDefinition<unknown>): unknown {
  const result = definition.payload.safeParse(payload);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? p.toString() : p)),
    code: issue.code,
    message: issue.message,
  }));
  const first = issues[0];
  const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
  throw ruleError(
    ValidationCodes.PAYLOAD,
    'payload',
    `envelope.payload does not match "${definition.type}" v${definition.version}${where}: ${first?.message ?? 'invalid'}`,
    { issues },
  );
}
