import { type EventEnvelope, isRustokError, SerializationError } from '@rustok/core';
import { headersByteLength, type OutgoingMessage, type PolledMessage } from '@rustok/iggy-connector';
import { AvroCodec } from './avro/avro-codec';
import { EventHeaderCache } from './header-cache';
import { HeaderNames, headerString } from './headers';
import { JsonCodec } from './json-codec';
import { validUuidToMessageId } from './message-id';
import {
  AVRO_CONTENT_TYPE,
  type AvroSchemaLookup,
  type CodecName,
  type EnvelopeCodec,
  JSON_CONTENT_TYPE,
} from './types';

/** Options of a `MessageCodec`. */
export interface MessageCodecOptions {
  /** Codec used to write; reading picks the codec by each message's `content-type`. */
  codec: CodecName;
  /** Finds Avro payload schemas of writers by event type and version (e.g. a registry). */
  lookupSchema?: AvroSchemaLookup;
  /** Checks a decoded value and returns it as a valid envelope; throws when it is not one. */
  validate(value: unknown): EventEnvelope;
}

/** An encoded event, ready to append, with its size for batching limits. */
export interface EncodedEvent {
  message: OutgoingMessage;
  bytes: number;
}

function decodeFailed(message: string, cause?: unknown): SerializationError {
  return new SerializationError(message, { code: 'DECODE_FAILED', cause });
}

function baseContentType(value: string): string {
  // Fast path: what this package writes needs no parsing.
  if (value === JSON_CONTENT_TYPE || value === AVRO_CONTENT_TYPE) return value;
  return value.split(';', 1)[0]!.trim().toLowerCase();
}

/** Iggy's fixed per-message overhead counted against batch limits. */
const MESSAGE_OVERHEAD = 64;

/** Bytes a message adds to a batch: payload, encoded headers and Iggy's fixed per-message overhead. */
export function messageSize(message: OutgoingMessage): number {
  return MESSAGE_OVERHEAD + message.payload.length + (message.headers ? headersByteLength(message.headers) : 0);
}

/**
 * Turns envelopes into Iggy messages (id, headers, encoded bytes) and stored messages back
 * into validated envelopes. One topic may hold both formats: reading follows `content-type`.
 */
export class MessageCodec {
  readonly #writer: EnvelopeCodec;
  readonly #json = new JsonCodec();
  #avro: AvroCodec | undefined;
  readonly #lookup: AvroSchemaLookup | undefined;
  readonly #validate: (value: unknown) => EventEnvelope;
  readonly #headers: EventHeaderCache;

  /** Builds the writer codec; `codec: 'avro'` loads `avsc` now and fails when it is missing. */
  constructor(options: MessageCodecOptions) {
    this.#lookup = options.lookupSchema;
    this.#validate = options.validate;
    this.#writer = options.codec === 'avro' ? this.#avroCodec() : this.#json;
    this.#headers = new EventHeaderCache(this.#writer.contentType);
  }

  /** The content type this codec writes. */
  get contentType(): string {
    return this.#writer.contentType;
  }

  #avroCodec(): AvroCodec {
    this.#avro ??= new AvroCodec(this.#lookup ? { lookupSchema: this.#lookup } : {});
    return this.#avro;
  }

  /** True when `encode` uses the definition's Avro payload schema (the Avro writer). */
  get usesPayloadSchema(): boolean {
    return this.#writer.name === 'avro';
  }

  /** Encodes a validated envelope; `payloadSchema` is the definition's Avro schema, if any. */
  encode(envelope: EventEnvelope, payloadSchema?: unknown): EncodedEvent {
    const payload = this.#writer.encode(envelope, payloadSchema);
    const { headers, bytes: headerBytes } = this.#headers.headersOf(envelope);
    const message: OutgoingMessage = { id: validUuidToMessageId(envelope.id), payload, headers };
    return { message, bytes: MESSAGE_OVERHEAD + payload.length + headerBytes };
  }

  /** Decodes and validates a stored message; any failure is a `DECODE_FAILED` error. */
  decode(message: PolledMessage): EventEnvelope {
    const raw = headerString(message.headers, HeaderNames.CONTENT_TYPE);
    const contentType = raw === undefined ? JSON_CONTENT_TYPE : baseContentType(raw);
    let codec: EnvelopeCodec;
    if (contentType === JSON_CONTENT_TYPE) codec = this.#json;
    else if (contentType === AVRO_CONTENT_TYPE) {
      try {
        codec = this.#avroCodec();
      } catch (cause) {
        throw decodeFailed(`cannot decode ${AVRO_CONTENT_TYPE}: 'avsc' is not installed`, cause);
      }
    } else throw decodeFailed(`unsupported content-type ${JSON.stringify(contentType)}`);
    const value = codec.decode(message.payload);
    try {
      return this.#validate(value);
    } catch (cause) {
      const detail = isRustokError(cause) ? `${cause.code}: ${cause.message}` : String(cause);
      throw decodeFailed(`decoded message is not a valid event (${detail})`, cause);
    }
  }
}
