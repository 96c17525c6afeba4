import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { validOrder } from '../../test/fixtures';
import { NIL_UUID } from './constants';
import { EventEnvelopeSchema } from './schema';
import type { EventEnvelope } from './types';

describe('EventEnvelopeSchema', () => {
  it('infers exactly the EventEnvelope type', () => {
    expectTypeOf<z.infer<typeof EventEnvelopeSchema>>().toEqualTypeOf<EventEnvelope>();
    expectTypeOf<EventEnvelope>().toExtend<z.input<typeof EventEnvelopeSchema>>();
  });

  it('accepts a valid envelope and rejects broken fields', () => {
    const input = validOrder();
    expect(EventEnvelopeSchema.parse(input)).toEqual(input);
    const bad: Array<[string, unknown]> = [
      ['id', NIL_UUID],
      ['type', 'nodot'],
      ['schemaVersion', 0],
      ['tenantId', ''],
      ['correlationId', NIL_UUID],
      ['causationId', ''],
      ['traceId', ' '],
      ['occurredAt', '2025-01-01'],
      ['headers', { a: 1 }],
      ['payload', undefined],
    ];
    for (const [field, value] of bad) {
      const result = EventEnvelopeSchema.safeParse({ ...validOrder(), [field]: value });
      expect(result.success, field).toBe(false);
      expect(result.error?.issues[0]?.path[0]).toBe(field);
    }
  });
});
