import { z } from 'zod';
import { EnvelopeLimits } from './constants';
import {
  isDottedName,
  isIsoUtcTimestamp,
  isNilUuid,
  isNonBlank,
  isUuidV7,
  utf8Bytes,
} from './predicates';

const relationId = z
  .string()
  .min(1, 'must not be empty')
  .refine((v) => !isNilUuid(v), 'must not be the nil UUID');

/**
 * The envelope as a zod schema, with every rule that needs no registry (id, type, version,
 * tenant size, relation ids, traceId, occurredAt, headers). Use `validateEnvelope` for the
 * ordered rules with one code each; use this schema to embed envelopes in other schemas.
 */
export const EventEnvelopeSchema = z.object({
  id: z
    .string()
    .refine((v) => !isNilUuid(v), 'must not be the nil UUID')
    .refine(isUuidV7, 'must be a UUIDv7'),
  type: z
    .string()
    .refine((v) => {
      const n = utf8Bytes(v);
      return n >= 1 && n <= EnvelopeLimits.typeBytes;
    }, `must be 1–${EnvelopeLimits.typeBytes} bytes`)
    .refine(isDottedName, 'must be a dotted name such as "order.created"'),
  schemaVersion: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  tenantId: z.string().refine((v) => {
    const n = utf8Bytes(v);
    return n >= 1 && n <= EnvelopeLimits.tenantBytes;
  }, `must be 1–${EnvelopeLimits.tenantBytes} bytes`),
  correlationId: relationId,
  causationId: relationId.optional(),
  actorId: relationId.optional(),
  traceId: z
    .string()
    .refine(isNonBlank, 'must not be blank')
    .refine((v) => utf8Bytes(v) <= EnvelopeLimits.traceIdBytes, `must be at most ${EnvelopeLimits.traceIdBytes} bytes`)
    .optional(),
  occurredAt: z.string().refine(isIsoUtcTimestamp, 'must be an ISO-8601 UTC timestamp'),
  headers: z.record(z.string(), z.string()),
  payload: z.unknown().refine((v): boolean => v !== undefined, 'is required'),
});
