import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtureRegistry, OrderCreated, TenantSuspended, thrown } from '../../test/fixtures';
import { NIL_UUID, PLATFORM_TENANT } from '../envelope/constants';
import { createEvent } from '../envelope/create';
import { isNonBlank, utf8Bytes } from '../envelope/predicates';
import { EventEnvelopeSchema } from '../envelope/schema';
import type { ValidationError } from '../errors/rustok-error';
import { isValidationError, type ValidationCode, ValidationCodes } from './codes';
import { validateEnvelope } from './validate';

const registry = fixtureRegistry();
const RUNS = { numRuns: 300 };

const tenantArb = fc.oneof(
  fc.uuid(),
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
    .filter((t) => utf8Bytes(t) <= 255 && t !== PLATFORM_TENANT),
);
const relationIdArb = fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s !== NIL_UUID);
const traceIdArb = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 80 })
  .filter((s) => isNonBlank(s) && utf8Bytes(s) <= 512);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const dateArb = fc.date({
  min: new Date('0000-01-01T00:00:00.000Z'),
  max: new Date('9999-12-31T23:59:59.999Z'),
  noInvalidDate: true,
});

const optionalFields = fc.record({
  correlationId: maybe(relationIdArb),
  causationId: maybe(relationIdArb),
  actorId: maybe(relationIdArb),
  traceId: maybe(traceIdArb),
  headers: maybe(fc.dictionary(fc.string(), fc.string(), { maxKeys: 5 })),
  occurredAt: maybe(fc.oneof(dateArb, dateArb.map((d) => d.toISOString()))),
  id: maybe(fc.uuid({ version: 7 })),
});

describe('createEvent output always validates (property)', () => {
  it('for tenant-scoped events', () => {
    const payloadArb = fc.record({ orderId: fc.string({ minLength: 1 }), amount: fc.nat() });
    fc.assert(
      fc.property(tenantArb, payloadArb, optionalFields, (tenantId, payload, extra) => {
        const event = createEvent(OrderCreated, { ...extra, tenantId, payload });
        expect(validateEnvelope(event, { registry })).toEqual(event);
        expect(validateEnvelope(JSON.parse(JSON.stringify(event)), { registry })).toEqual(event);
        expect(EventEnvelopeSchema.safeParse(event).success).toBe(true);
        expect(event.correlationId).toBe(extra.correlationId ?? event.id);
      }),
      RUNS,
    );
  });

  it('for platform-scoped events, including the platform tenant', () => {
    const tenants = fc.oneof(fc.constant(PLATFORM_TENANT), tenantArb);
    fc.assert(
      fc.property(tenants, fc.string(), optionalFields, (tenantId, reason, extra) => {
        const event = createEvent(TenantSuspended, { ...extra, tenantId, payload: { reason } });
        expect(registry.validate(event)).toEqual(event);
      }),
      RUNS,
    );
  });
});

// Rules in validation order; a corruption names the rule it breaks.
const ORDER: readonly ValidationCode[] = [
  ValidationCodes.SHAPE,
  ValidationCodes.ID,
  ValidationCodes.TYPE,
  ValidationCodes.SCHEMA_VERSION,
  ValidationCodes.UNKNOWN_TYPE,
  ValidationCodes.UNKNOWN_VERSION,
  ValidationCodes.TENANT,
  ValidationCodes.TENANT_SCOPE,
  ValidationCodes.CORRELATION_ID,
  ValidationCodes.CAUSATION_ID,
  ValidationCodes.ACTOR_ID,
  ValidationCodes.TRACE_ID,
  ValidationCodes.OCCURRED_AT,
  ValidationCodes.PAYLOAD,
];

interface Corruption {
  code: ValidationCode;
  value: unknown;
}

const corrupt = (code: ValidationCode, ...values: unknown[]): fc.Arbitrary<Corruption> =>
  fc.constantFrom(...values).map((value) => ({ code, value }));
const S = ValidationCodes;

const corruptions = {
  id: fc.oneof(
    corrupt(S.SHAPE, 42, null, undefined),
    corrupt(S.ID, NIL_UUID, '3b241101-e2bb-4255-8caf-4136c566a962', 'x'),
  ),
  type: fc.oneof(
    corrupt(S.SHAPE, 1, undefined),
    corrupt(S.TYPE, '', 'order', 'order..x', `a.${'b'.repeat(300)}`),
    corrupt(S.UNKNOWN_TYPE, 'order.unknown', 'x.y.z'),
  ),
  schemaVersion: fc.oneof(
    corrupt(S.SHAPE, '1', null),
    corrupt(S.SCHEMA_VERSION, 0, -3, 1.5, Number.NaN),
    fc.integer({ min: 2, max: 1000 }).map((value) => ({ code: S.UNKNOWN_VERSION, value })),
  ),
  tenantId: fc.oneof(
    corrupt(S.SHAPE, 7, undefined),
    corrupt(S.TENANT, '', 'x'.repeat(256)),
    corrupt(S.TENANT_SCOPE, PLATFORM_TENANT),
  ),
  correlationId: fc.oneof(corrupt(S.SHAPE, undefined, 1), corrupt(S.CORRELATION_ID, '', NIL_UUID)),
  causationId: fc.oneof(corrupt(S.SHAPE, 1, false), corrupt(S.CAUSATION_ID, '', NIL_UUID)),
  actorId: fc.oneof(corrupt(S.SHAPE, {}, 2), corrupt(S.ACTOR_ID, '', NIL_UUID)),
  traceId: fc.oneof(corrupt(S.SHAPE, true), corrupt(S.TRACE_ID, ' ', '\t\n', 'x'.repeat(513))),
  occurredAt: fc.oneof(
    corrupt(S.SHAPE, new Date(0), 0),
    corrupt(S.OCCURRED_AT, '2025-13-01T00:00:00Z', 'now', '2025-01-01T00:00:00+01:00'),
  ),
  headers: corrupt(S.SHAPE, null, [], { a: 1 }, 'h'),
  payload: fc.oneof(
    corrupt(S.SHAPE, undefined),
    corrupt(S.PAYLOAD, 'text', { orderId: '', amount: 1 }, { orderId: 'o', amount: -1 }),
  ),
};

type Field = keyof typeof corruptions;

// One to three distinct fields, each broken in one way (so pairs of later rules meet often).
const FIELDS = Object.keys(corruptions) as Field[];
const corruptionSets = fc
  .uniqueArray(fc.constantFrom(...FIELDS), { minLength: 1, maxLength: 3 })
  .chain((fields) =>
    fc.tuple(...fields.map((f) => corruptions[f].map((c) => [f, c] as [Field, Corruption]))),
  );

describe('the first failing rule owns the error code (property)', () => {
  it('for any set of invalid fields, the earliest rule wins', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(tenantArb, optionalFields, corruptionSets, (tenantId, extra, applied) => {
        const base = createEvent(OrderCreated, {
          ...extra,
          tenantId,
          causationId: extra.causationId ?? 'cause-1',
          actorId: extra.actorId ?? 'actor-1',
          traceId: extra.traceId ?? 'trace-1',
          payload: { orderId: 'o-1', amount: 1 },
        });
        const input: Record<string, unknown> = { ...base };
        for (const [field, c] of applied) input[field] = c.value;
        const expected = ORDER[Math.min(...applied.map(([, c]) => ORDER.indexOf(c.code)))];

        const error = thrown(() => validateEnvelope(input, { registry })) as ValidationError;
        expect(isValidationError(error)).toBe(true);
        expect(error.code).toBe(expected);
        seen.add(error.code);
        if (applied.length === 1) expect(error.details.field).toBe(applied[0]![0]);
      }),
      { numRuns: 2000 },
    );
    // every rule won at least once
    expect([...seen].sort()).toEqual([...ORDER].sort());
  });
});
