import { validateEnvelope } from '@rustok/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeArbitrary, sampleEnvelope } from '../testing/envelopes';
import { envelopeJson } from './envelope-json';

/** Strings that exercise escaping: quotes, backslashes, controls, surrogates (paired and lone). */
const awkward = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
  fc.constantFrom('a"b', 'c\\d', 'tab\there', 'nl\n', '\u0000x', '\ud83d\ude00', 'lone \ud800', '\udc00 lone', '\u2028'),
);

describe('envelopeJson', () => {
  it('is JSON.stringify of the validated envelope, byte for byte', () => {
    fc.assert(
      fc.property(
        envelopeArbitrary(fc.jsonValue()),
        awkward,
        fc.option(awkward, { nil: undefined }),
        fc.dictionary(awkward, awkward, { maxKeys: 3 }),
        (envelope, tenantId, actorId, headers) => {
          const input = { ...envelope, tenantId, headers, ...(actorId === undefined ? {} : { actorId }) };
          let valid: ReturnType<typeof validateEnvelope>;
          try {
            valid = validateEnvelope(input);
          } catch {
            return; // e.g. a tenant id longer than allowed: not an envelope the codec sees
          }
          expect(envelopeJson(valid)).toBe(JSON.stringify(valid));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('writes every optional field and leaves out absent ones, like JSON.stringify', () => {
    const full = validateEnvelope(
      sampleEnvelope({
        causationId: '0190f3a0-1234-7abc-8def-0123456789ac',
        actorId: 'user "7"',
        traceId: 'abc',
        headers: { traceparent: 'x' },
      }),
    );
    expect(envelopeJson(full)).toBe(JSON.stringify(full));
    const bare = validateEnvelope(sampleEnvelope());
    expect(envelopeJson(bare)).toBe(JSON.stringify(bare));
    expect(JSON.parse(envelopeJson(bare))).toEqual(bare);
  });

  it('fails like JSON.stringify on a payload it cannot serialize', () => {
    const envelope = { ...validateEnvelope(sampleEnvelope()), payload: { n: 1n } };
    expect(() => envelopeJson(envelope)).toThrow(TypeError);
  });
});
