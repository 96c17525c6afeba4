// Per-message CPU cost of the stages of publishing and consuming, measured in isolation on the
// same envelopes (no I/O), to show where the time of the end-to-end figures goes.
import { type EventEnvelope, validateEnvelope } from '@rustok/core';
import { decodeHeaders, encodeHeaders, type PolledMessage } from '@rustok/iggy-connector';
import { MessageCodec } from '../../src/codec/message-codec';
import { benchRegistry, OrderPlaced } from './workload';

/** One stage and its CPU cost per message in µs. */
export interface StageCost {
  stage: string;
  micros: number;
}

/** CPU µs per call of `fn` over `count` calls: best of `repeats` passes after a warm-up pass. */
function cpuMicros(count: number, fn: (i: number) => unknown, repeats = 3): number {
  let sink = 0;
  for (let i = 0; i < count; i++) if (fn(i) === sink) sink += 1;
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats; r++) {
    const start = process.cpuUsage();
    for (let i = 0; i < count; i++) if (fn(i) === sink) sink += 1;
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / count);
  }
  return best;
}

function stored(message: { id?: bigint; payload: Uint8Array | string; headers?: PolledMessage['headers'] }, i: number): PolledMessage {
  return {
    id: message.id ?? 0n,
    offset: BigInt(i),
    timestamp: 0n,
    originTimestamp: 0n,
    payload: typeof message.payload === 'string' ? Buffer.from(message.payload, 'utf8') : Buffer.from(message.payload),
    headers: message.headers ?? {},
  };
}

/** Measures the stages on (up to 5,000 of) `envelopes`. */
export function measureStages(envelopes: readonly EventEnvelope[]): StageCost[] {
  const sample = envelopes.slice(0, 5000);
  const registry = benchRegistry();
  const validate = (value: unknown) => registry.upcast(validateEnvelope(value, { registry }));
  const json = new MessageCodec({ codec: 'json', validate });
  const avro = new MessageCodec({
    codec: 'avro',
    validate,
    lookupSchema: (type, version) => registry.get(type, version)?.avro,
  });
  const valid = sample.map((e) => validateEnvelope(e, { registry }));
  const jsonStored = valid.map((e, i) => stored(json.encode(e).message, i));
  const avroStored = valid.map((e, i) => stored(avro.encode(e, OrderPlaced.avro).message, i));
  const n = sample.length;
  const headerBytes = jsonStored.map((m) => encodeHeaders(m.headers));
  return [
    { stage: 'JSON.stringify(envelope) (the floor serializer)', micros: cpuMicros(n, (i) => JSON.stringify(sample[i])) },
    { stage: 'validateEnvelope, structural only', micros: cpuMicros(n, (i) => validateEnvelope(sample[i])) },
    {
      stage: 'validateEnvelope with registry (zod payload)',
      micros: cpuMicros(n, (i) => validateEnvelope(sample[i], { registry })),
    },
    { stage: 'encode JSON (text, id, headers)', micros: cpuMicros(n, (i) => json.encode(valid[i]!)) },
    { stage: 'encode Avro (bytes, id, headers)', micros: cpuMicros(n, (i) => avro.encode(valid[i]!, OrderPlaced.avro)) },
    { stage: 'connector: encode user headers (per send)', micros: cpuMicros(n, (i) => encodeHeaders(jsonStored[i]!.headers)) },
    { stage: 'connector: decode user headers (per poll)', micros: cpuMicros(n, (i) => decodeHeaders(headerBytes[i]!)) },
    { stage: 'decode + validate + upcast JSON', micros: cpuMicros(n, (i) => json.decode(jsonStored[i]!)) },
    { stage: 'decode + validate + upcast Avro', micros: cpuMicros(n, (i) => avro.decode(avroStored[i]!)) },
  ];
}
