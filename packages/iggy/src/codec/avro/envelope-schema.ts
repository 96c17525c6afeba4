/** How the payload bytes inside an Avro envelope are encoded. */
export type PayloadEncoding = 'JSON' | 'AVRO';

/**
 * The fixed Avro schema of the envelope. The payload is bytes: a single-object Avro datum when
 * the event definition has an Avro schema, else UTF-8 JSON.
 */
export const ENVELOPE_AVRO_SCHEMA = Object.freeze({
  type: 'record',
  name: 'EventEnvelope',
  namespace: 'rustok',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'type', type: 'string' },
    { name: 'schemaVersion', type: 'int' },
    { name: 'tenantId', type: 'string' },
    { name: 'correlationId', type: 'string' },
    { name: 'causationId', type: ['null', 'string'], default: null },
    { name: 'actorId', type: ['null', 'string'], default: null },
    { name: 'traceId', type: ['null', 'string'], default: null },
    { name: 'occurredAt', type: 'string' },
    {
      name: 'headers',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Header',
          fields: [
            { name: 'name', type: 'string' },
            { name: 'value', type: 'string' },
          ],
        },
      },
    },
    {
      name: 'payloadEncoding',
      type: { type: 'enum', name: 'PayloadEncoding', symbols: ['JSON', 'AVRO'] },
    },
    { name: 'payload', type: 'bytes' },
  ],
});

/** The envelope as the Avro record holds it. */
export interface AvroEnvelopeRecord {
  id: string;
  type: string;
  schemaVersion: number;
  tenantId: string;
  correlationId: string;
  causationId: string | null;
  actorId: string | null;
  traceId: string | null;
  occurredAt: string;
  /** Name/value pairs (a list, so any name — even `__proto__` — survives decoding). */
  headers: { name: string; value: string }[];
  payloadEncoding: PayloadEncoding;
  payload: Buffer;
}
