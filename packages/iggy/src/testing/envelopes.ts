import type { EventEnvelope } from '@rustok/core';
import fc from 'fast-check';

/** A fast-check arbitrary of structurally valid envelopes with the given payload arbitrary. */
export function envelopeArbitrary<T>(payload: fc.Arbitrary<T>): fc.Arbitrary<EventEnvelope<T>> {
  const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
  const optionalId = fc.option(fc.uuid({ version: 7 }), { nil: undefined });
  return fc
    .record({
      id: fc.uuid({ version: 7 }),
      type: fc.tuple(word, word).map(([a, b]) => `${a}.${b}`),
      schemaVersion: fc.integer({ min: 1, max: 1000 }),
      tenantId: fc.string({ minLength: 1, maxLength: 40 }),
      correlationId: fc.uuid({ version: 7 }),
      causationId: optionalId,
      actorId: optionalId,
      traceId: fc.option(fc.stringMatching(/^[a-f0-9]{32}$/), { nil: undefined }),
      occurredAt: fc
        .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 20 }), {
        maxKeys: 3,
      }),
      payload,
    })
    .map((env) => {
      const out: EventEnvelope<T> = { ...env };
      for (const key of ['causationId', 'actorId', 'traceId'] as const) {
        if (out[key] === undefined) delete out[key];
      }
      return out;
    });
}

/** A fixed valid envelope for examples. */
export function sampleEnvelope(overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  return {
    id: '0190f3a0-1234-7abc-8def-0123456789ab',
    type: 'order.created',
    schemaVersion: 1,
    tenantId: 'tenant-123',
    correlationId: '0190f3a0-1234-7abc-8def-0123456789ab',
    occurredAt: '2024-05-01T10:00:00.000Z',
    headers: {},
    payload: { orderId: 'o-1', amount: 42 },
    ...overrides,
  };
}
