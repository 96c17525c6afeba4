import { type EventEnvelope, isRustokError, type SerializedEvent, SerializationError } from '@rustok/core';
import { headersByteLength, type OutgoingMessage, type PolledMessage, payloadByteLength } from '@rustok/iggy-connector';
import { AvroCodec } from './avro/avro-codec';
import { EventHeaderCache } from './header-cache';
import { HeaderNames, type HeaderSource, headerString } from './headers';
import { JsonCodec } from './json-codec';
import { uuidToMessageId, validUuidToMessageId } from './message-id';
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

/** The envelope of a serialized event, parsed; `SERIALIZATION` when its JSON is not an object. */
export function parseSerialized(event: SerializedEvent): EventEnvelope {
  let value: unknown;
  try {
    value = JSON.parse(event.json);
  } catch (cause) {
    throw new SerializationError(`event ${event.id}: its JSON does not parse`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SerializationError(`event ${event.id}: its JSON is not an envelope object`);
  }
  return value as EventEnvelope;
}

/**
 * The header source of a serialized event: its envelope's `traceparent`, read from its JSON. In
 * the layout the JSON codec writes (`{"id":…`, scalars, then `"headers":{…}` before
 * `"payload":`) the value is found by a scan (escaped values excepted); any other layout parses
 * the whole envelope.
 */
function withEnvelopeHeaders(event: SerializedEvent): HeaderSource {
  const { json } = event;
  const start = json.indexOf(HEADERS_KEY);
  const payloadAt = json.indexOf('"payload":');
  if (json.startsWith('{"id":') && start > 0 && start < payloadAt) {
    // Before "payload" every value is a scalar or a header string: a quoted key followed by `:"`
    // can only be a real key there (quotes inside JSON strings are escaped).
    const key = json.indexOf(TRACEPARENT_KEY, start);
    if (key < 0 || key > payloadAt) return event;
    const from = key + TRACEPARENT_KEY.length;
    const to = json.indexOf('"', from);
    const value = json.slice(from, to);
    if (to > 0 && !value.includes('\\')) {
      return { type: event.type, schemaVersion: event.schemaVersion, tenantId: event.tenantId, headers: { traceparent: value } };
    }
  }
  return parseSerialized(event);
}

const TRACEPARENT_KEY = `"${HeaderNames.TRACEPARENT}":"`;
const HEADERS_KEY = '"headers":{';

/** Iggy's fixed per-message overhead counted against batch limits. */
const MESSAGE_OVERHEAD = 64;

/** Bytes a message adds to a batch: payload, encoded headers and Iggy's fixed per-message overhead. */
export function messageSize(message: OutgoingMessage): number {
  return MESSAGE_OVERHEAD + payloadByteLength(message.payload) + (message.headers ? headersByteLength(message.headers) : 0);
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
    return { message, bytes: MESSAGE_OVERHEAD + payloadByteLength(payload) + headerBytes };
  }

  /** True when `encodeSerialized` can send an event's JSON text as it is (the JSON writer). */
  get writesJson(): boolean {
    return this.#writer.name === 'json';
  }

  /**
   * Encodes an event validated and serialized earlier, with the JSON writer: its JSON text is the
   * payload as it is. Only the id is checked (it becomes the message id).
   */
  encodeSerialized(event: SerializedEvent): EncodedEvent {
    // The JSON text is the payload as it is (the connector writes its UTF-8 bytes).
    const payload = event.json;
    // Only an event with a traceparent has a header set of its own; its JSON says so.
    const source = payload.includes('"traceparent"') ? withEnvelopeHeaders(event) : event;
    const { headers, bytes: headerBytes } = this.#headers.headersOf(source);
    const message: OutgoingMessage = { id: uuidToMessageId(event.id), payload, headers };
    return { message, bytes: MESSAGE_OVERHEAD + payloadByteLength(payload) + headerBytes };
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
