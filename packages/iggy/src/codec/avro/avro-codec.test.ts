import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeArbitrary, sampleEnvelope } from '../../testing/envelopes';
import { AvroCodec } from './avro-codec';
import { ENVELOPE_AVRO_SCHEMA } from './envelope-schema';
import { fingerprintKey, schemaFingerprint } from './fingerprint';
import { loadAvsc } from './load-avsc';
import { parseSingleObject } from './single-object';

const ORDER_SCHEMA = {
  type: 'record',
  name: 'OrderCreated',
  namespace: 'shop',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'amount', type: 'int' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'lines', type: { type: 'array', items: { type: 'record', name: 'Line', fields: [{ name: 'sku', type: 'string' }, { name: 'qty', type: 'long' }] } } },
  ],
};

const orderPayload = fc.record({
  orderId: fc.string(),
  amount: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  tags: fc.array(fc.string(), { maxLength: 4 }),
  note: fc.option(fc.string(), { nil: null }),
  lines: fc.array(fc.record({ sku: fc.string(), qty: fc.integer({ min: 0, max: 1_000_000 }) }), { maxLength: 3 }),
});

describe('AvroCodec', () => {
  it('round-trips envelopes whose payload has an Avro schema (plain objects back)', () => {
    const codec = new AvroCodec();
    fc.assert(
      fc.property(envelopeArbitrary(orderPayload), (envelope) => {
        const decoded = codec.decode(codec.encode(envelope, ORDER_SCHEMA)) as { payload: object };
        expect(decoded).toEqual(envelope);
        expect(Object.getPrototypeOf(decoded.payload)).toBe(Object.prototype);
      }),
    );
  });

  it('round-trips envelopes without a payload schema (payload as JSON bytes)', () => {
    const codec = new AvroCodec();
    fc.assert(
      fc.property(envelopeArbitrary(fc.jsonValue()), (envelope) => {
        expect(codec.decode(codec.encode(envelope))).toEqual(JSON.parse(JSON.stringify(envelope)));
      }),
    );
  });

  it('keeps header names that are special in JavaScript objects', () => {
    const codec = new AvroCodec();
    const headers = JSON.parse('{"__proto__":"p","constructor":"c","traceparent":"t"}') as Record<string, string>;
    const decoded = codec.decode(codec.encode(sampleEnvelope({ headers }))) as { headers: object };
    expect(Object.entries(decoded.headers)).toEqual(Object.entries(headers));
  });

  it('uses single-object encoding with the CRC-64-AVRO fingerprint of the canonical schemas', () => {
    const codec = new AvroCodec();
    const bytes = codec.encode(sampleEnvelope({ payload: { orderId: 'o', amount: 1, tags: [], note: null, lines: [] } }), ORDER_SCHEMA);
    const outer = parseSingleObject(bytes);
    const { Type } = loadAvsc();
    const envelopeCanonical = JSON.stringify(Type.forSchema(ENVELOPE_AVRO_SCHEMA as never).schema());
    expect(fingerprintKey(outer.fingerprint)).toBe(fingerprintKey(schemaFingerprint(envelopeCanonical)));
    const record = Type.forSchema(ENVELOPE_AVRO_SCHEMA as never).fromBuffer(outer.body) as { payload: Buffer; payloadEncoding: string };
    expect(record.payloadEncoding).toBe('AVRO');
    const inner = parseSingleObject(record.payload);
    const orderCanonical = JSON.stringify(Type.forSchema(ORDER_SCHEMA as never).schema());
    expect(fingerprintKey(inner.fingerprint)).toBe(codec.registerSchema(ORDER_SCHEMA).fingerprint);
    expect(fingerprintKey(inner.fingerprint)).toBe(fingerprintKey(schemaFingerprint(orderCanonical)));
  });

  it('rejects a payload that does not match its Avro schema with SERIALIZATION', () => {
    const codec = new AvroCodec();
    const envelope = sampleEnvelope({ payload: { orderId: 'o', amount: 1.5, tags: [], note: null, lines: [] } });
    expect(() => codec.encode(envelope, ORDER_SCHEMA)).toThrow(
      expect.objectContaining({ code: 'SERIALIZATION', message: expect.stringContaining('amount') }),
    );
  });

  it('lets a reader find the writer schema by fingerprint through the lookup', () => {
    const writer = new AvroCodec();
    const bytes = writer.encode(
      sampleEnvelope({ payload: { orderId: 'o', amount: 2, tags: ['x'], note: 'n', lines: [] } }),
      ORDER_SCHEMA,
    );
    const asked: string[] = [];
    const reader = new AvroCodec({
      lookupSchema: (type, version) => {
        asked.push(`${type}@${version}`);
        return ORDER_SCHEMA;
      },
    });
    expect((reader.decode(bytes) as { payload: unknown }).payload).toEqual({
      orderId: 'o',
      amount: 2,
      tags: ['x'],
      note: 'n',
      lines: [],
    });
    reader.decode(bytes);
    expect(asked).toEqual(['order.created@1']);
    const blind = new AvroCodec();
    expect(() => blind.decode(bytes)).toThrow(expect.objectContaining({ code: 'DECODE_FAILED' }));
  });

  it('fails on malformed bytes and invalid schemas', () => {
    const codec = new AvroCodec();
    expect(() => codec.decode(new Uint8Array([0xc3, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(
      expect.objectContaining({ code: 'DECODE_FAILED' }),
    );
    const good = codec.encode(sampleEnvelope());
    expect(() => codec.decode(good.subarray(0, good.length - 3))).toThrow(
      expect.objectContaining({ code: 'DECODE_FAILED' }),
    );
    expect(() => codec.encode(sampleEnvelope(), { type: 'nope' })).toThrow(
      expect.objectContaining({ code: 'SERIALIZATION' }),
    );
    expect(() => codec.encode(sampleEnvelope({ schemaVersion: 2 ** 40 }))).toThrow(
      expect.objectContaining({ code: 'SERIALIZATION' }),
    );
  });
});

describe('AvroCodec scratch buffers', () => {
  it('encodes payloads larger than its scratch buffers and keeps working afterwards', () => {
    const codec = new AvroCodec();
    const schema = { type: 'record', name: 'Big', fields: [{ name: 'text', type: 'string' }] };
    for (const size of [10, 40_000, 3_000_000, 20]) {
      const envelope = sampleEnvelope({ payload: { text: 'x'.repeat(size) } });
      const decoded = codec.decode(codec.encode(envelope, schema)) as { payload: { text: string } };
      expect(decoded.payload.text.length).toBe(size);
    }
  });
});
