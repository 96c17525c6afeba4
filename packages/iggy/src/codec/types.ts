import type { EventEnvelope } from '@rustok/core';

/** Content type of the JSON codec. */
export const JSON_CONTENT_TYPE = 'application/json';
/** Content type of the Avro codec. */
export const AVRO_CONTENT_TYPE = 'application/vnd.rustok.avro';

/** Name of a built-in codec. */
export type CodecName = 'json' | 'avro';

/** Finds the Avro schema of a payload by event type and version (e.g. from a registry). */
export type AvroSchemaLookup = (eventType: string, schemaVersion: number) => unknown;

/** Turns an envelope into message bytes and back. Decoding does not validate the envelope. */
export interface EnvelopeCodec {
  readonly name: CodecName;
  readonly contentType: string;
  /**
   * Encodes `envelope` as bytes, or as text sent as its UTF-8 bytes; `payloadSchema` is the
   * definition's Avro schema when it has one (ignored by JSON). Throws `SERIALIZATION` when the
   * envelope cannot be encoded.
   */
  encode(envelope: EventEnvelope, payloadSchema?: unknown): Uint8Array | string;
  /** Decodes message bytes to an envelope-shaped value; throws `DECODE_FAILED`. */
  decode(bytes: Uint8Array): unknown;
}
