import { type EventEnvelope, SerializationError } from '@rustok/core';
import { type EnvelopeCodec, JSON_CONTENT_TYPE } from './types';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Serializes a value as JSON bytes; throws `SERIALIZATION` for bigints, cycles and the like.
 * `what` names the value in errors (a function so that naming costs nothing on success).
 */
export function jsonBytes(value: unknown, what: string | (() => string)): Uint8Array {
  // Small strings land in Node's shared buffer pool: no allocation per message.
  return Buffer.from(jsonText(value, what), 'utf8');
}

/** Serializes a value as JSON text; throws like `jsonBytes`. */
export function jsonText(value: unknown, what: string | (() => string)): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new SerializationError(`${nameOf(what)} is not JSON-serializable: ${String(cause)}`, { cause });
  }
  if (text === undefined) throw new SerializationError(`${nameOf(what)} is not JSON-serializable`);
  return text;
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

  /** Encodes the envelope as JSON text (the connector writes its UTF-8 bytes). */
  encode(envelope: EventEnvelope): string {
    return jsonText(envelope, () => `event ${envelope.id}`);
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
