import { EventRegistry, type EventEnvelope, validateEnvelope } from '@rustok/core';
import type { OutgoingMessage, PolledMessage } from '@rustok/iggy-connector';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeArbitrary, sampleEnvelope } from '../testing/envelopes';
import { OrderCreated } from '../testing/events';
import { MessageCodec, messageSize } from './message-codec';
import { uuidToMessageId } from './message-id';

const stored = (m: OutgoingMessage): PolledMessage => ({
  id: m.id ?? 0n,
  offset: 0n,
  timestamp: 1n,
  originTimestamp: 1n,
  payload: Buffer.from(m.payload),
  // A broker hands out its own copy of the headers (what was sent is sealed, read-only).
  headers: { ...m.headers },
});

const validate = (value: unknown): EventEnvelope => validateEnvelope(value);

describe('MessageCodec', () => {
  it('writes id, headers and bytes, and reads them back (JSON)', () => {
    const codec = new MessageCodec({ codec: 'json', validate });
    const envelope = sampleEnvelope({ headers: { traceparent: '00-abc-def-01' } });
    const { message, bytes } = codec.encode(envelope);
    expect(message.id).toBe(uuidToMessageId(envelope.id));
    expect(message.headers).toEqual({
      'content-type': { kind: 'string', value: 'application/json' },
      'rustok-event-type': { kind: 'string', value: 'order.created' },
      'rustok-tenant-id': { kind: 'string', value: 'tenant-123' },
      'rustok-schema-version': { kind: 'string', value: '1' },
      traceparent: { kind: 'string', value: '00-abc-def-01' },
    });
    expect(bytes).toBeGreaterThan(message.payload.length);
    expect(codec.decode(stored(message))).toEqual(envelope);
  });

  it('round-trips valid envelopes through both formats, each reader following content-type', () => {
    const json = new MessageCodec({ codec: 'json', validate });
    const avro = new MessageCodec({ codec: 'avro', validate });
    expect(avro.contentType).toBe('application/vnd.rustok.avro');
    fc.assert(
      fc.property(envelopeArbitrary(fc.jsonValue()), fc.boolean(), (envelope, useAvro) => {
        const writer = useAvro ? avro : json;
        const message = stored(writer.encode(envelope).message);
        const expected = JSON.parse(JSON.stringify(envelope));
        expect(json.decode(message)).toEqual(expected);
        expect(avro.decode(message)).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });

  it('treats a message without content-type as JSON and strips parameters', () => {
    const codec = new MessageCodec({ codec: 'json', validate });
    const message = stored(codec.encode(sampleEnvelope()).message);
    delete message.headers['content-type'];
    expect(codec.decode(message).id).toBe(sampleEnvelope().id);
    message.headers['content-type'] = { kind: 'string', value: 'Application/JSON; charset=utf-8' };
    expect(codec.decode(message).id).toBe(sampleEnvelope().id);
  });

  it('fails with DECODE_FAILED on an unknown content-type or an invalid envelope', () => {
    const codec = new MessageCodec({ codec: 'json', validate });
    const message = stored(codec.encode(sampleEnvelope()).message);
    message.headers['content-type'] = { kind: 'string', value: 'text/plain' };
    expect(() => codec.decode(message)).toThrow(expect.objectContaining({ code: 'DECODE_FAILED' }));
    const bad = stored({ payload: new TextEncoder().encode('{"id":"x"}') });
    expect(() => codec.decode(bad)).toThrow(
      expect.objectContaining({ code: 'DECODE_FAILED', message: expect.stringContaining('not a valid event') }),
    );
  });

  it('encodes the payload with the definition Avro schema and decodes it via the registry', () => {
    const Order = OrderCreated;
    const registry = new EventRegistry().register(Order);
    const lookupSchema = (type: string, version: number) => registry.get(type, version)?.avro;
    const writer = new MessageCodec({ codec: 'avro', validate, lookupSchema });
    const reader = new MessageCodec({ codec: 'json', validate, lookupSchema });
    const envelope = sampleEnvelope({ payload: { orderId: 'o-9', amount: 9 } });
    const message = stored(writer.encode(envelope, Order.avro).message);
    expect(reader.decode(message)).toEqual(envelope);
    expect(() => writer.encode(sampleEnvelope({ payload: { orderId: 'o', amount: 1.5 } }), Order.avro)).toThrow(
      expect.objectContaining({ code: 'SERIALIZATION' }),
    );
  });
});

describe('MessageCodec batch sizes', () => {
  it('reports the same size as messageSize() of the encoded message, in both formats', () => {
    const json = new MessageCodec({ codec: 'json', validate });
    const avro = new MessageCodec({ codec: 'avro', validate });
    const traceparent = fc.option(fc.string({ minLength: 1, maxLength: 60 }), { nil: undefined });
    fc.assert(
      fc.property(envelopeArbitrary(fc.jsonValue()), traceparent, fc.boolean(), (envelope, tp, useAvro) => {
        const withTrace = tp === undefined ? envelope : { ...envelope, headers: { ...envelope.headers, traceparent: tp } };
        const { message, bytes } = (useAvro ? avro : json).encode(withTrace);
        expect(bytes).toBe(messageSize(message));
      }),
      { numRuns: 200 },
    );
  });
});

describe('MessageCodec.encodeSerialized', () => {
  const codec = new MessageCodec({ codec: 'json', validate });
  const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const of = (envelope: EventEnvelope, json = JSON.stringify(envelope)) => ({
    id: envelope.id,
    type: envelope.type,
    schemaVersion: envelope.schemaVersion,
    tenantId: envelope.tenantId,
    json,
  });

  it('sends the JSON as it is, with the same headers as encode()', () => {
    for (const envelope of [sampleEnvelope(), sampleEnvelope({ headers: { traceparent: tp, other: 'x}' } })]) {
      const valid = validateEnvelope(envelope);
      const fast = codec.encodeSerialized(of(valid));
      const slow = codec.encode(valid);
      expect(Buffer.from(fast.message.payload).toString('utf8')).toBe(JSON.stringify(valid));
      expect(fast.message.headers).toEqual(slow.message.headers);
      expect(fast.message.id).toBe(slow.message.id);
      expect(fast.bytes).toBe(slow.bytes);
    }
  });

  it('finds the traceparent in any JSON layout, never one inside the payload', () => {
    const valid = validateEnvelope(sampleEnvelope({ headers: { traceparent: tp } }));
    const { payload: _payload, ...rest } = valid;
    // Payload first, holding a decoy headers object: the envelope's own headers come later.
    const reordered = JSON.stringify({ payload: { headers: { traceparent: 'wrong' } }, ...rest });
    expect(codec.encodeSerialized(of(valid, reordered)).message.headers?.traceparent).toEqual({ kind: 'string', value: tp });
    const bare = validateEnvelope(sampleEnvelope({ payload: { traceparent: 'not a header' } }));
    expect(codec.encodeSerialized(of(bare)).message.headers?.traceparent).toBeUndefined();
  });

  it('checks the id it turns into the message id', () => {
    expect(() => codec.encodeSerialized({ ...of(validateEnvelope(sampleEnvelope())), id: 'nope' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    );
  });
});

