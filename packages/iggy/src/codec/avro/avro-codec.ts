import { type EventEnvelope, SerializationError } from '@rustok/core';
import type { Type } from 'avsc';
import { jsonBytes, parseJsonBytes } from '../json-codec';
import { AVRO_CONTENT_TYPE, type AvroSchemaLookup, type EnvelopeCodec } from '../types';
import { type AvroEnvelopeRecord, ENVELOPE_AVRO_SCHEMA } from './envelope-schema';
import { fingerprintKey, schemaFingerprint } from './fingerprint';
import { type AvscModule, loadAvsc } from './load-avsc';
import { frameSingleObject, parseSingleObject } from './single-object';

interface CompiledSchema {
  type: Type;
  fingerprint: Uint8Array;
  key: string;
}

/** Options of the Avro codec. */
export interface AvroCodecOptions {
  /** Finds a writer's payload schema (by type and version) when its fingerprint is not known yet. */
  lookupSchema?: AvroSchemaLookup;
  /** The `avsc` module; loaded lazily from the optional peer dependency when omitted. */
  avsc?: AvscModule;
}

function decodeFailed(message: string, cause?: unknown): SerializationError {
  return new SerializationError(message, { code: 'DECODE_FAILED', cause });
}

/** Copies avsc's record instances into plain objects (arrays, maps and bytes kept as they are). */
function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = toPlain(inner);
  return out;
}

/**
 * Avro codec (`application/vnd.rustok.avro`): a fixed envelope schema in single-object encoding,
 * with the payload itself a single-object datum of the definition's Avro schema when there is
 * one, else JSON bytes. Readers find every writer schema by its CRC-64-AVRO fingerprint.
 */
export class AvroCodec implements EnvelopeCodec {
  readonly name = 'avro' as const;
  readonly contentType = AVRO_CONTENT_TYPE;
  readonly #avsc: AvscModule;
  readonly #envelope: CompiledSchema;
  readonly #lookup: AvroSchemaLookup | undefined;
  readonly #bySource = new Map<string, CompiledSchema>();
  readonly #byFingerprint = new Map<string, CompiledSchema>();

  /** Loads `avsc` (throws `VALIDATION` when it is not installed) and compiles the envelope schema. */
  constructor(options: AvroCodecOptions = {}) {
    this.#avsc = options.avsc ?? loadAvsc();
    this.#lookup = options.lookupSchema;
    this.#envelope = this.#compileUnchecked(ENVELOPE_AVRO_SCHEMA);
  }

  #compileUnchecked(schema: unknown): CompiledSchema {
    const type = this.#avsc.Type.forSchema(schema as Parameters<AvscModule['Type']['forSchema']>[0]);
    const fingerprint = schemaFingerprint(JSON.stringify(type.schema()));
    return { type, fingerprint, key: fingerprintKey(fingerprint) };
  }

  /** Compiles (once) and registers a payload schema; throws `SERIALIZATION` when it is invalid. */
  registerSchema(schema: unknown): { fingerprint: string } {
    return { fingerprint: this.#compile(schema).key };
  }

  #compile(schema: unknown): CompiledSchema {
    const source = typeof schema === 'string' ? schema : JSON.stringify(schema);
    const known = this.#bySource.get(source);
    if (known) return known;
    let compiled: CompiledSchema;
    try {
      compiled = this.#compileUnchecked(typeof schema === 'string' ? JSON.parse(schema) : schema);
    } catch (cause) {
      throw new SerializationError(`invalid Avro schema: ${String(cause)}`, { cause });
    }
    this.#bySource.set(source, compiled);
    this.#byFingerprint.set(compiled.key, compiled);
    return compiled;
  }

  /** Encodes the envelope; a payload that does not match `payloadSchema` is `SERIALIZATION`. */
  encode(envelope: EventEnvelope, payloadSchema?: unknown): Uint8Array {
    let payload: Uint8Array;
    let payloadEncoding: AvroEnvelopeRecord['payloadEncoding'] = 'JSON';
    if (payloadSchema !== undefined && payloadSchema !== null) {
      const compiled = this.#compile(payloadSchema);
      const paths: string[] = [];
      const valid = compiled.type.isValid(envelope.payload, {
        errorHook: (path: string[]) => {
          paths.push(path.length > 0 ? path.join('.') : '(root)');
        },
      });
      if (!valid) {
        throw new SerializationError(
          `payload of ${envelope.type} v${envelope.schemaVersion} does not match its Avro schema (at ${paths.join(', ')})`,
          { details: { eventId: envelope.id, paths } },
        );
      }
      payload = frameSingleObject(compiled.fingerprint, compiled.type.toBuffer(envelope.payload));
      payloadEncoding = 'AVRO';
    } else {
      payload = jsonBytes(envelope.payload, `payload of event ${envelope.id}`);
    }
    const record: AvroEnvelopeRecord = {
      id: envelope.id,
      type: envelope.type,
      schemaVersion: envelope.schemaVersion,
      tenantId: envelope.tenantId,
      correlationId: envelope.correlationId,
      causationId: envelope.causationId ?? null,
      actorId: envelope.actorId ?? null,
      traceId: envelope.traceId ?? null,
      occurredAt: envelope.occurredAt,
      headers: Object.entries(envelope.headers ?? {}).map(([name, value]) => ({ name, value })),
      payloadEncoding,
      payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
    };
    const paths: string[] = [];
    if (
      !this.#envelope.type.isValid(record, {
        errorHook: (path: string[]) => {
          paths.push(path.join('.'));
        },
      })
    ) {
      throw new SerializationError(
        `event ${envelope.id} does not fit the Avro envelope (at ${paths.join(', ')})`,
      );
    }
    return frameSingleObject(this.#envelope.fingerprint, this.#envelope.type.toBuffer(record));
  }

  /** Decodes an Avro envelope; an unknown writer schema or malformed bytes are `DECODE_FAILED`. */
  decode(bytes: Uint8Array): unknown {
    const { fingerprint, body } = parseSingleObject(bytes);
    if (fingerprintKey(fingerprint) !== this.#envelope.key) {
      throw decodeFailed(`unknown Avro envelope schema fingerprint ${fingerprintKey(fingerprint)}`);
    }
    let record: AvroEnvelopeRecord;
    try {
      record = this.#envelope.type.fromBuffer(body) as AvroEnvelopeRecord;
    } catch (cause) {
      throw decodeFailed(`malformed Avro envelope: ${String(cause)}`, cause);
    }
    const payload =
      record.payloadEncoding === 'AVRO'
        ? this.#decodePayload(record)
        : parseJsonBytes(record.payload, 'event payload');
    const envelope: Record<string, unknown> = {
      id: record.id,
      type: record.type,
      schemaVersion: record.schemaVersion,
      tenantId: record.tenantId,
      correlationId: record.correlationId,
    };
    if (record.causationId !== null) envelope.causationId = record.causationId;
    if (record.actorId !== null) envelope.actorId = record.actorId;
    if (record.traceId !== null) envelope.traceId = record.traceId;
    envelope.occurredAt = record.occurredAt;
    envelope.headers = Object.fromEntries(record.headers.map((h) => [h.name, h.value]));
    envelope.payload = payload;
    return envelope;
  }

  #decodePayload(record: AvroEnvelopeRecord): unknown {
    const { fingerprint, body } = parseSingleObject(record.payload);
    const key = fingerprintKey(fingerprint);
    let writer = this.#byFingerprint.get(key);
    if (!writer && this.#lookup) {
      const schema = this.#lookup(record.type, record.schemaVersion);
      if (schema !== undefined && schema !== null) {
        try {
          this.#compile(schema);
        } catch (cause) {
          throw decodeFailed(`invalid Avro schema for ${record.type} v${record.schemaVersion}`, cause);
        }
        writer = this.#byFingerprint.get(key);
      }
    }
    if (!writer) {
      throw decodeFailed(
        `unknown Avro payload schema fingerprint ${key} for ${record.type} v${record.schemaVersion}`,
      );
    }
    try {
      return toPlain(writer.type.fromBuffer(body));
    } catch (cause) {
      throw decodeFailed(`malformed Avro payload: ${String(cause)}`, cause);
    }
  }
}
