import { ErrorCodes } from '../errors/codes';
import { isRustokError, type ValidationError } from '../errors/rustok-error';

/**
 * One stable code per envelope validation rule, listed in the order the rules run. The first
 * failing rule wins; its code is the thrown `ValidationError`'s `code`.
 */
export const ValidationCodes = {
  /** Not a plain object, or a field of the wrong JS type (or missing). */
  SHAPE: 'ENVELOPE_SHAPE',
  /** `id` is not a UUIDv7, or is the nil UUID. */
  ID: 'ENVELOPE_ID',
  /** `type` is not a dotted name of 1–255 bytes. */
  TYPE: 'ENVELOPE_TYPE',
  /** `schemaVersion` is not an integer ≥ 1. */
  SCHEMA_VERSION: 'ENVELOPE_SCHEMA_VERSION',
  /** The registry does not know `type` (or it differs from the given definition's). */
  UNKNOWN_TYPE: 'ENVELOPE_UNKNOWN_TYPE',
  /** The type is known but not in this `schemaVersion`. */
  UNKNOWN_VERSION: 'ENVELOPE_UNKNOWN_VERSION',
  /** `tenantId` is empty or longer than 255 bytes. */
  TENANT: 'ENVELOPE_TENANT',
  /** `tenantId` is the platform tenant (nil UUID) but the definition is not platform-scoped. */
  TENANT_SCOPE: 'ENVELOPE_TENANT_SCOPE',
  /** `correlationId` is empty or the nil UUID. */
  CORRELATION_ID: 'ENVELOPE_CORRELATION_ID',
  /** `causationId` is present but empty or the nil UUID. */
  CAUSATION_ID: 'ENVELOPE_CAUSATION_ID',
  /** `actorId` is present but empty or the nil UUID. */
  ACTOR_ID: 'ENVELOPE_ACTOR_ID',
  /** `traceId` is present but blank or longer than 512 bytes. */
  TRACE_ID: 'ENVELOPE_TRACE_ID',
  /** `occurredAt` is not an ISO-8601 UTC timestamp. */
  OCCURRED_AT: 'ENVELOPE_OCCURRED_AT',
  /** The payload does not match the definition's schema (zod issues in `details.issues`). */
  PAYLOAD: 'ENVELOPE_PAYLOAD',
} as const;

/** One envelope validation rule code. */
export type ValidationCode = (typeof ValidationCodes)[keyof typeof ValidationCodes];

const CODES: ReadonlySet<string> = new Set<string>([
  ...Object.values(ValidationCodes),
  ErrorCodes.VALIDATION,
]);

/**
 * True for any validation error: an envelope rule's error (`ValidationCodes`) or a generic
 * `VALIDATION` error, also one thrown by another copy of this package.
 */
export function isValidationError(e: unknown): e is ValidationError {
  return isRustokError(e) && CODES.has(e.code);
}
