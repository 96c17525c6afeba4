import { describe, expect, it } from 'vitest';
import { fixtureRegistry, OrderCreated, TenantSuspended, thrown, validOrder } from '../../test/fixtures';
import { PLATFORM_TENANT } from '../envelope/constants';
import { ErrorCodes } from '../errors/codes';
import { isRustokError, RustokError, ValidationError } from '../errors/rustok-error';
import { isValidationError, ValidationCodes } from './codes';
import { validateEnvelope } from './validate';

const registry = fixtureRegistry();

function codeOf(input: unknown, options = { registry }): unknown {
  const error = thrown(() => validateEnvelope(input, options));
  expect(isValidationError(error)).toBe(true);
  return (error as ValidationError).code;
}

function fieldOf(input: unknown): unknown {
  return (thrown(() => validateEnvelope(input, { registry })) as ValidationError).details.field;
}

describe('validateEnvelope', () => {
  it('accepts a valid envelope and returns a fresh copy', () => {
    const input = validOrder();
    const out = validateEnvelope(input, { registry });
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
    expect(out.headers).not.toBe(input.headers);
  });

  it.each([
    ['null', null],
    ['an array', [validOrder()]],
    ['a string', '{"id":"x"}'],
    ['a number', 42],
    ['undefined', undefined],
    ['a class instance', new Date()],
  ])('rejects %s as ENVELOPE_SHAPE', (_, input) => {
    expect(codeOf(input)).toBe(ValidationCodes.SHAPE);
    expect(fieldOf(input)).toBe('envelope');
  });

  it('rejects fields of the wrong JS type as ENVELOPE_SHAPE, naming the field', () => {
    expect(fieldOf({ ...validOrder(), schemaVersion: '1' })).toBe('schemaVersion');
    expect(fieldOf({ ...validOrder(), causationId: 5 })).toBe('causationId');
    expect(fieldOf({ ...validOrder(), headers: { a: 1 } })).toBe('headers');
    expect(fieldOf({ ...validOrder(), headers: [] })).toBe('headers');
    expect(fieldOf({ ...validOrder(), payload: undefined })).toBe('payload');
    const { tenantId: _, ...noTenant } = validOrder();
    expect(fieldOf(noTenant)).toBe('tenantId');
    expect(codeOf(noTenant)).toBe(ValidationCodes.SHAPE);
  });

  it('rejects the nil id and non-v7 ids as ENVELOPE_ID', () => {
    expect(codeOf({ ...validOrder(), id: PLATFORM_TENANT })).toBe(ValidationCodes.ID);
    const message = (thrown(() => validateEnvelope({ ...validOrder(), id: PLATFORM_TENANT })) as Error)
      .message;
    expect(message).toContain('nil UUID');
    // a v4 UUID
    expect(codeOf({ ...validOrder(), id: '3b241101-e2bb-4255-8caf-4136c566a962' })).toBe(
      ValidationCodes.ID,
    );
    expect(codeOf({ ...validOrder(), id: 'not-a-uuid' })).toBe(ValidationCodes.ID);
  });

  it('rejects bad type names as ENVELOPE_TYPE, measuring bytes', () => {
    expect(codeOf({ ...validOrder(), type: '' })).toBe(ValidationCodes.TYPE);
    expect(codeOf({ ...validOrder(), type: 'order' })).toBe(ValidationCodes.TYPE);
    expect(codeOf({ ...validOrder(), type: 'order..created' })).toBe(ValidationCodes.TYPE);
    expect(codeOf({ ...validOrder(), type: `a.${'b'.repeat(254)}` })).toBe(ValidationCodes.TYPE);
    expect(codeOf({ ...validOrder(), type: 'order.créé' })).toBe(ValidationCodes.TYPE);
  });

  it('rejects non-integer or < 1 versions as ENVELOPE_SCHEMA_VERSION', () => {
    for (const v of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(codeOf({ ...validOrder(), schemaVersion: v })).toBe(ValidationCodes.SCHEMA_VERSION);
    }
  });

  it('rejects an unregistered type as ENVELOPE_UNKNOWN_TYPE', () => {
    expect(codeOf({ ...validOrder(), type: 'order.shipped' })).toBe(ValidationCodes.UNKNOWN_TYPE);
  });

  it('rejects a registered type in an unregistered version as ENVELOPE_UNKNOWN_VERSION', () => {
    const error = thrown(() => validateEnvelope({ ...validOrder(), schemaVersion: 2 }, { registry }));
    expect((error as ValidationError).code).toBe(ValidationCodes.UNKNOWN_VERSION);
    expect((error as ValidationError).details).toMatchObject({
      field: 'schemaVersion',
      registeredVersions: [1],
    });
  });

  it('checks type and version against a given definition', () => {
    const opts = { definition: TenantSuspended };
    expect(thrown(() => validateEnvelope(validOrder(), opts))).toMatchObject({
      code: ValidationCodes.UNKNOWN_TYPE,
    });
    const v2 = { ...validOrder(), schemaVersion: 2 };
    expect(thrown(() => validateEnvelope(v2, { definition: OrderCreated }))).toMatchObject({
      code: ValidationCodes.UNKNOWN_VERSION,
    });
  });

  it('rejects an empty or oversized tenant as ENVELOPE_TENANT', () => {
    expect(codeOf({ ...validOrder(), tenantId: '' })).toBe(ValidationCodes.TENANT);
    expect(codeOf({ ...validOrder(), tenantId: 'x'.repeat(256) })).toBe(ValidationCodes.TENANT);
    // 128 two-byte characters are 256 bytes although the string length is 128
    expect(codeOf({ ...validOrder(), tenantId: 'é'.repeat(128) })).toBe(ValidationCodes.TENANT);
    expect(validateEnvelope({ ...validOrder(), tenantId: 'é'.repeat(127) }).tenantId).toHaveLength(127);
  });

  it('rejects the platform tenant on a definition that is not platform-scoped', () => {
    const input = { ...validOrder(), tenantId: PLATFORM_TENANT };
    expect(codeOf(input)).toBe(ValidationCodes.TENANT_SCOPE);
    // without a registry or definition the scope cannot be known, so it passes
    expect(validateEnvelope(input).tenantId).toBe(PLATFORM_TENANT);
    const platform = validateEnvelope(
      { ...validOrder(), type: TenantSuspended.type, payload: { reason: 'x' }, tenantId: PLATFORM_TENANT },
      { registry },
    );
    expect(platform.tenantId).toBe(PLATFORM_TENANT);
  });

  it('rejects empty or nil correlation, causation and actor ids with their own codes', () => {
    expect(codeOf({ ...validOrder(), correlationId: '' })).toBe(ValidationCodes.CORRELATION_ID);
    expect(codeOf({ ...validOrder(), correlationId: PLATFORM_TENANT })).toBe(
      ValidationCodes.CORRELATION_ID,
    );
    expect(codeOf({ ...validOrder(), causationId: PLATFORM_TENANT })).toBe(ValidationCodes.CAUSATION_ID);
    expect(codeOf({ ...validOrder(), causationId: '' })).toBe(ValidationCodes.CAUSATION_ID);
    expect(codeOf({ ...validOrder(), actorId: '' })).toBe(ValidationCodes.ACTOR_ID);
    expect(codeOf({ ...validOrder(), actorId: PLATFORM_TENANT })).toBe(ValidationCodes.ACTOR_ID);
  });

  it('rejects a blank traceId or one over 512 bytes as ENVELOPE_TRACE_ID', () => {
    expect(codeOf({ ...validOrder(), traceId: '   ' })).toBe(ValidationCodes.TRACE_ID);
    expect(codeOf({ ...validOrder(), traceId: 't'.repeat(513) })).toBe(ValidationCodes.TRACE_ID);
    // 171 three-byte characters: 513 bytes
    expect(codeOf({ ...validOrder(), traceId: '€'.repeat(171) })).toBe(ValidationCodes.TRACE_ID);
    expect(validateEnvelope({ ...validOrder(), traceId: 't'.repeat(512) }).traceId).toHaveLength(512);
  });

  it('rejects non-UTC or impossible timestamps as ENVELOPE_OCCURRED_AT', () => {
    for (const ts of [
      '2025-01-31',
      '2025-01-31T12:00:00+02:00',
      '2025-01-31T12:00:00',
      '2025-02-30T00:00:00Z',
      '2025-01-31T24:00:00Z',
      'yesterday',
    ]) {
      expect(codeOf({ ...validOrder(), occurredAt: ts })).toBe(ValidationCodes.OCCURRED_AT);
    }
    expect(validateEnvelope({ ...validOrder(), occurredAt: '2024-02-29T23:59:59.123456Z' })).toBeTruthy();
  });

  it('rejects an invalid payload as ENVELOPE_PAYLOAD with the zod issues but not the payload', () => {
    const secret = 'card-4111111111111111';
    const error = thrown(() =>
      validateEnvelope({ ...validOrder(), payload: { orderId: secret, amount: -1 } }, { registry }),
    ) as ValidationError;
    expect(error.code).toBe(ValidationCodes.PAYLOAD);
    expect(error.details.field).toBe('payload');
    expect(error.details.issues).toEqual([
      expect.objectContaining({ path: ['amount'], code: 'too_small' }),
    ]);
    expect(JSON.stringify(error.toJSON())).not.toContain(secret);
    expect(error.message).toContain('amount');
  });

  it('skips the payload rule without a registry or definition', () => {
    expect(validateEnvelope({ ...validOrder(), payload: 'anything' }).payload).toBe('anything');
  });

  it('returns the payload as parsed by the schema (unknown keys stripped)', () => {
    const out = validateEnvelope(
      { ...validOrder(), payload: { orderId: 'o', amount: 1, extra: true } },
      { registry },
    );
    expect(out.payload).toEqual({ orderId: 'o', amount: 1 });
  });

  it('drops unknown top-level fields and keeps optional ones only when present', () => {
    const out = validateEnvelope({ ...validOrder(), unknownField: 1, actorId: 'user-1' });
    expect(out).not.toHaveProperty('unknownField');
    expect(out.actorId).toBe('user-1');
    expect(Object.keys(validateEnvelope(validOrder()))).not.toContain('traceId');
  });

  it('accepts null-prototype objects', () => {
    const input = Object.assign(Object.create(null) as object, validOrder(), {
      headers: Object.assign(Object.create(null) as object, { traceparent: 'x' }),
    });
    expect(validateEnvelope(input).headers).toEqual({ traceparent: 'x' });
  });
});

describe('isValidationError', () => {
  it('is true for every rule code and the generic VALIDATION code only', () => {
    for (const code of Object.values(ValidationCodes)) {
      expect(isValidationError(new ValidationError('x', { code }))).toBe(true);
    }
    expect(isValidationError(new ValidationError('x'))).toBe(true);
    expect(isValidationError(new RustokError(ErrorCodes.TIMEOUT, 'x'))).toBe(false);
    expect(isValidationError(new Error('x'))).toBe(false);
    expect(isValidationError({ code: ValidationCodes.ID })).toBe(false);
  });

  it('gives every rule its own distinct code', () => {
    const codes = Object.values(ValidationCodes);
    expect(new Set(codes).size).toBe(codes.length);
    const error = thrown(() => validateEnvelope(null));
    expect(isRustokError(error) && error.retriable).toBe(false);
  });
});
