import { type EventEnvelope, SerializationError } from '@rustok/core';
import { envelopeJson } from './envelope-json';
import { type EnvelopeCodec, JSON_CONTENT_TYPE } from './types';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Serializes a value as JSON bytes; throws `SERIALIZATION` for bigints, cycles and the like.
 * `what` names the value in errors (a function so that naming costs nothing on success).
 */
export function jsonBytes(value: unknown, what: string | (() => string)): Uint8Array {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw notSerializable(what, cause);
  }
  return utf8Bytes(text, what);
}

/** The UTF-8 bytes of serialized JSON; `undefined` (nothing to serialize) is `SERIALIZATION`. */
function utf8Bytes(text: string | undefined, what: string | (() => string)): Uint8Array {
  if (text === undefined) throw new SerializationError(`${nameOf(what)} is not JSON-serializable`);
  // Small strings land in Node's shared buffer pool: no allocation of their own.
  return Buffer.from(text, 'utf8');
}

function notSerializable(what: string | (() => string), cause: unknown): SerializationError {
  return new SerializationError(`${nameOf(what)} is not JSON-serializable: ${String(cause)}`, { cause });
}

function nameOf(what: string | (() => string)): string {
  return typeof what === 'string' ? what : what();
}

/** Parses UTF-8 JSON bytes; throws `DECODE_FAILED`. */
export function parseJsonBytes(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new SerializationError(`${what} is not valid UTF-8 JSON`, {
      code: 'DECODE_FAILED',
      cause,
    });
  }
}

/** The default codec: the whole envelope as UTF-8 JSON (`application/json`). */
export class JsonCodec implements EnvelopeCodec {
  readonly name = 'json' as const;
  readonly contentType = JSON_CONTENT_TYPE;

  /** Encodes the (validated) envelope as JSON: the same bytes as `JSON.stringify`, made faster. */
  encode(envelope: EventEnvelope): Uint8Array {
    let text: string;
    try {
      text = envelopeJson(envelope);
    } catch (cause) {
      throw notSerializable(() => `event ${envelope.id}`, cause);
    }
    return utf8Bytes(text, '');
  }

  /** Parses JSON bytes; the result is checked by the caller. */
  decode(bytes: Uint8Array): unknown {
    const value = parseJsonBytes(bytes, 'message payload');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new SerializationError('message payload is not a JSON object', {
        code: 'DECODE_FAILED',
      });
    }
    return value;
  }
}
