import { type EventEnvelope, SerializationError } from '@rustok/core';
import type { Type } from 'avsc';
import { jsonBytes, parseJsonBytes } from '../json-codec';
import { AVRO_CONTENT_TYPE, type AvroSchemaLookup, type EnvelopeCodec } from '../types';
import { type AvroEnvelopeRecord, ENVELOPE_AVRO_SCHEMA } from './envelope-schema';
import { fingerprintKey, schemaFingerprint } from './fingerprint';
import { type AvscModule, loadAvsc } from './load-avsc';
import { type PlainConverter, plainConverter } from './plain';
import { hasFingerprint, parseSingleObject, ScratchBuffer } from './single-object';

interface CompiledSchema {
  type: Type;
  fingerprint: Uint8Array;
  key: string;
  /** Turns values decoded with `type` into plain objects. */
  plain: PlainConverter;
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

/** Paths where `value` does not match `type` (empty when it matches). */
function mismatches(type: Type, value: unknown): string[] {
  const paths: string[] = [];
  type.isValid(value, {
    errorHook: (path: string[]) => {
      paths.push(path.length > 0 ? path.join('.') : '(root)');
    },
  });
  return paths;
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
  readonly #byObject = new WeakMap<object, CompiledSchema>();
  readonly #fingerprints = new Set<string>();
  /** Payload schemas in the order they were compiled, scanned by fingerprint when decoding. */
  readonly #payloadSchemas: CompiledSchema[] = [];
  readonly #payloadScratch = new ScratchBuffer();
  readonly #envelopeScratch = new ScratchBuffer();

  /** Loads `avsc` (throws `VALIDATION` when it is not installed) and compiles the envelope schema. */
  constructor(options: AvroCodecOptions = {}) {
    this.#avsc = options.avsc ?? loadAvsc();
    this.#lookup = options.lookupSchema;
    this.#envelope = this.#compileUnchecked(ENVELOPE_AVRO_SCHEMA);
  }

  #compileUnchecked(schema: unknown): CompiledSchema {
    const type = this.#avsc.Type.forSchema(schema as Parameters<AvscModule['Type']['forSchema']>[0]);
    const fingerprint = schemaFingerprint(JSON.stringify(type.schema()));
    return { type, fingerprint, key: fingerprintKey(fingerprint), plain: plainConverter(type) };
  }

  /** Compiles (once) and registers a payload schema; throws `SERIALIZATION` when it is invalid. */
  registerSchema(schema: unknown): { fingerprint: string } {
    return { fingerprint: this.#compile(schema).key };
  }

  #compile(schema: unknown): CompiledSchema {
    // Definitions hand the same schema object to every encode: look it up by identity first.
    const isObject = typeof schema === 'object' && schema !== null;
    if (isObject) {
      const known = this.#byObject.get(schema);
      if (known) return known;
    }
    const source = typeof schema === 'string' ? schema : JSON.stringify(schema);
    let compiled = this.#bySource.get(source);
    if (!compiled) {
      try {
        compiled = this.#compileUnchecked(typeof schema === 'string' ? JSON.parse(schema) : schema);
      } catch (cause) {
        throw new SerializationError(`invalid Avro schema: ${String(cause)}`, { cause });
      }
      this.#bySource.set(source, compiled);
      if (!this.#fingerprints.has(compiled.key)) {
        this.#fingerprints.add(compiled.key);
        this.#payloadSchemas.push(compiled);
      }
    }
    if (isObject) this.#byObject.set(schema, compiled);
    return compiled;
  }

  /** Encodes the envelope; a payload that does not match `payloadSchema` is `SERIALIZATION`. */
  encode(envelope: EventEnvelope, payloadSchema?: unknown): Uint8Array {
    let payload: Buffer;
    let payloadEncoding: AvroEnvelopeRecord['payloadEncoding'] = 'JSON';
    if (payloadSchema !== undefined && payloadSchema !== null) {
      const compiled = this.#compile(payloadSchema);
      let length: number;
      try {
        // avsc checks every value as it writes it, so a mismatch throws here.
        length = this.#payloadScratch.writeSingleObject(compiled.type, compiled.fingerprint, envelope.payload);
      } catch (cause) {
        const paths = mismatches(compiled.type, envelope.payload);
        throw new SerializationError(
          `payload of ${envelope.type} v${envelope.schemaVersion} does not match its Avro schema (at ${paths.join(', ')})`,
          { cause, details: { eventId: envelope.id, paths } },
        );
      }
      payload = this.#payloadScratch.buffer.subarray(0, length);
      payloadEncoding = 'AVRO';
    } else {
      const json = jsonBytes(envelope.payload, () => `payload of event ${envelope.id}`);
      payload = Buffer.from(json.buffer, json.byteOffset, json.byteLength);
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
      payload,
    };
    const scratch = this.#envelopeScratch;
    let length: number;
    try {
      length = scratch.writeSingleObject(this.#envelope.type, this.#envelope.fingerprint, record);
    } catch (cause) {
      const paths = mismatches(this.#envelope.type, record);
      throw new SerializationError(`event ${envelope.id} does not fit the Avro envelope (at ${paths.join(', ')})`, {
        cause,
      });
    }
    // One copy out of the scratch buffer (small results come from Node's shared pool).
    const out = Buffer.allocUnsafe(length);
    scratch.buffer.copy(out, 0, 0, length);
    scratch.trim();
    this.#payloadScratch.trim();
    return out;
  }

  /** Decodes an Avro envelope; an unknown writer schema or malformed bytes are `DECODE_FAILED`. */
  decode(bytes: Uint8Array): unknown {
    const { fingerprint, body } = parseSingleObject(bytes);
    if (!hasFingerprint(bytes, this.#envelope.fingerprint)) {
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

  #payloadWriter(bytes: Uint8Array): CompiledSchema | undefined {
    for (const compiled of this.#payloadSchemas) {
      if (hasFingerprint(bytes, compiled.fingerprint)) return compiled;
    }
    return undefined;
  }

  #decodePayload(record: AvroEnvelopeRecord): unknown {
    const { fingerprint, body } = parseSingleObject(record.payload);
    let writer = this.#payloadWriter(record.payload);
    if (!writer && this.#lookup) {
      const schema = this.#lookup(record.type, record.schemaVersion);
      if (schema !== undefined && schema !== null) {
        try {
          this.#compile(schema);
        } catch (cause) {
          throw decodeFailed(`invalid Avro schema for ${record.type} v${record.schemaVersion}`, cause);
        }
        writer = this.#payloadWriter(record.payload);
      }
    }
    if (!writer) {
      throw decodeFailed(
        `unknown Avro payload schema fingerprint ${fingerprintKey(fingerprint)} for ${record.type} v${record.schemaVersion}`,
      );
    }
    try {
      return writer.plain(writer.type.fromBuffer(body));
    } catch (cause) {
      throw decodeFailed(`malformed Avro payload: ${String(cause)}`, cause);
    }
  }
}
