import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeArbitrary } from '../testing/envelopes';
import { JsonCodec } from './json-codec';

describe('JsonCodec', () => {
  const codec = new JsonCodec();

  it('round-trips any envelope with a JSON payload', () => {
    fc.assert(
      fc.property(envelopeArbitrary(fc.jsonValue()), (envelope) => {
        const decoded = codec.decode(Buffer.from(codec.encode(envelope), 'utf8'));
        expect(decoded).toEqual(JSON.parse(JSON.stringify(envelope)));
      }),
    );
  });

  it('rejects a payload that is not JSON-serializable with SERIALIZATION', () => {
    const envelope = { ...fc.sample(envelopeArbitrary(fc.constant(null)), 1)[0]!, payload: { n: 1n } };
    expect(() => codec.encode(envelope)).toThrow(expect.objectContaining({ code: 'SERIALIZATION' }));
  });

  it('fails to decode bad bytes with DECODE_FAILED', () => {
    expect(() => codec.decode(new Uint8Array([0xff, 0xfe]))).toThrow(
      expect.objectContaining({ code: 'DECODE_FAILED' }),
    );
    expect(() => codec.decode(new TextEncoder().encode('[1]'))).toThrow(
      expect.objectContaining({ code: 'DECODE_FAILED' }),
    );
  });
});
