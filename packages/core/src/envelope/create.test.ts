import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { OrderCreated, TenantSuspended, thrown } from '../../test/fixtures';
import { ErrorCodes } from '../errors/codes';
import { isRustokError } from '../errors/rustok-error';
import { ValidationCodes } from '../validation/codes';
import { PLATFORM_TENANT } from './constants';
import { createEvent } from './create';
import { defineEvent, type EventDefinition } from './definition';
import type { EventEnvelope } from './types';

describe('defineEvent', () => {
  it('makes a frozen, typed definition', () => {
    expect(Object.isFrozen(OrderCreated)).toBe(true);
    expect(OrderCreated.platformScope).toBe(false);
    expect(TenantSuspended.platformScope).toBe(true);
    expectTypeOf(OrderCreated).toEqualTypeOf<EventDefinition<{ orderId: string; amount: number }>>();
    const avro = { type: 'record', name: 'X', fields: [] };
    expect(defineEvent({ type: 'a.b', version: 2, payload: z.null(), avro }).avro).toBe(avro);
  });

  it.each([
    ['type', { type: 'nodots', version: 1, payload: z.null() }],
    ['version', { type: 'a.b', version: 0, payload: z.null() }],
    ['version', { type: 'a.b', version: 1.5, payload: z.null() }],
    ['payload', { type: 'a.b', version: 1, payload: {} as z.ZodNull }],
  ])('rejects a bad %s with VALIDATION', (field, spec) => {
    const error = thrown(() => defineEvent(spec));
    expect(isRustokError(error) && error.code).toBe(ErrorCodes.VALIDATION);
    expect(isRustokError(error) && error.details.field).toBe(field);
  });
});

describe('createEvent', () => {
  it('fills id, correlationId, occurredAt and headers', () => {
    const before = Date.now();
    const event = createEvent(OrderCreated, { tenantId: 't1', payload: { orderId: 'o', amount: 1 } });
    expectTypeOf(event).toEqualTypeOf<EventEnvelope<{ orderId: string; amount: number }>>();
    expect(event).toMatchObject({
      type: 'order.created',
      schemaVersion: 1,
      tenantId: 't1',
      correlationId: event.id,
      headers: {},
      payload: { orderId: 'o', amount: 1 },
    });
    expect(Date.parse(event.occurredAt)).toBeGreaterThanOrEqual(before - 1);
    expect(event).not.toHaveProperty('causationId');
  });

  it('keeps the given optional fields and writes Dates as ISO UTC', () => {
    const event = createEvent(OrderCreated, {
      tenantId: 't1',
      payload: { orderId: 'o', amount: 1 },
      correlationId: 'corr',
      causationId: 'cause',
      actorId: 'user-7',
      traceId: 'trace',
      headers: { traceparent: '00-abc-def-01' },
      occurredAt: new Date(Date.UTC(2024, 1, 29, 12)),
      id: '01890a5d-ac96-774b-bcce-b302099a8057',
    });
    expect(event).toMatchObject({
      id: '01890a5d-ac96-774b-bcce-b302099a8057',
      correlationId: 'corr',
      causationId: 'cause',
      actorId: 'user-7',
      traceId: 'trace',
      occurredAt: '2024-02-29T12:00:00.000Z',
      headers: { traceparent: '00-abc-def-01' },
    });
  });

  it('throws the failing rule on bad input', () => {
    const code = (fn: () => unknown) => (thrown(fn) as { code: string }).code;
    const payload = { orderId: 'o', amount: 1 };
    expect(code(() => createEvent(OrderCreated, { tenantId: '', payload }))).toBe(ValidationCodes.TENANT);
    expect(code(() => createEvent(OrderCreated, { tenantId: PLATFORM_TENANT, payload }))).toBe(
      ValidationCodes.TENANT_SCOPE,
    );
    expect(
      code(() => createEvent(OrderCreated, { tenantId: 't', payload: { orderId: 'o', amount: -5 } })),
    ).toBe(ValidationCodes.PAYLOAD);
    expect(
      code(() => createEvent(OrderCreated, { tenantId: 't', payload, occurredAt: new Date(Number.NaN) })),
    ).toBe(ValidationCodes.OCCURRED_AT);
    expect(code(() => createEvent(OrderCreated, { tenantId: 't', payload, id: 'x' }))).toBe(
      ValidationCodes.ID,
    );
  });

  it('allows the platform tenant on platform-scoped definitions', () => {
    const event = createEvent(TenantSuspended, { tenantId: PLATFORM_TENANT, payload: { reason: 'abuse' } });
    expect(event.tenantId).toBe(PLATFORM_TENANT);
  });
});
