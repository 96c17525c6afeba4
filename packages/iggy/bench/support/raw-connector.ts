// The raw embedded connector: the same encoded messages (bytes, headers, ids) the transport
// would send, appended with `connector.send` in the same per-partition batches, and read back
// with `connector.poll` in batches of the consumer's poll size. No validation, no decoding.
import type { EventEnvelope } from '@rustok/core';
import { EmbeddedConnector, type OutgoingMessage } from '@rustok/iggy-connector';
import { MessageCodec } from '../../src/codec/message-codec';
import type { CodecName } from '../../src/codec/types';
import { tenantPartition } from '../../src/partitioning/index';
import { OrderPlaced } from './workload';

/** Stream and topic of the raw runs (the transport's defaults). */
export const RAW_STREAM = 'rustok';
export const RAW_TOPIC = 'domain';
export const PARTITIONS = 8;

/** One send: messages for one partition. */
export interface RawSend {
  partition: number;
  messages: OutgoingMessage[];
}

/**
 * Encodes `envelopes` as the transport does and groups them like `publishBatch` would: input
 * cut into chunks of `batch`, each chunk split by partition in first-seen order.
 */
export function rawSends(envelopes: readonly EventEnvelope[], codecName: CodecName, batch: number): RawSend[] {
  const codec = new MessageCodec({
    codec: codecName,
    validate: () => {
      throw new Error('not decoding');
    },
  });
  const sends: RawSend[] = [];
  for (let from = 0; from < envelopes.length; from += batch) {
    const groups = new Map<number, OutgoingMessage[]>();
    for (const envelope of envelopes.slice(from, from + batch)) {
      const partition = tenantPartition(envelope.tenantId, PARTITIONS);
      let group = groups.get(partition);
      if (!group) {
        group = [];
        groups.set(partition, group);
      }
      group.push(codec.encode(envelope, OrderPlaced.avro).message);
    }
    for (const [partition, messages] of groups) sends.push({ partition, messages });
  }
  return sends;
}

/** Opens an embedded connector in `dataDir` (fsync 'interval') with the bench topic. */
export async function openRawConnector(dataDir: string, fsyncIntervalMs: number): Promise<EmbeddedConnector> {
  const connector = new EmbeddedConnector({ dataDir, fsync: { policy: 'interval', intervalMs: fsyncIntervalMs } });
  await connector.connect();
  await connector.ensureStream(RAW_STREAM);
  await connector.ensureTopic(RAW_STREAM, RAW_TOPIC, { partitions: PARTITIONS });
  return connector;
}

/** Sends every batch, each chunk's partitions concurrently like `publishBatch`; returns elapsed ms. */
export async function rawSendAll(connector: EmbeddedConnector, sends: readonly RawSend[], batch: number): Promise<number> {
  const started = performance.now();
  let i = 0;
  while (i < sends.length) {
    // The sends of one input chunk add up to `batch` messages.
    const chunk: Promise<unknown>[] = [];
    let messages = 0;
    while (i < sends.length && messages < batch) {
      const send = sends[i++]!;
      messages += send.messages.length;
      chunk.push(connector.send(RAW_STREAM, RAW_TOPIC, send.partition, send.messages));
    }
    await Promise.all(chunk);
  }
  return performance.now() - started;
}

/** Reads every partition from offset 0 to its end, `count` at a time, partitions concurrently. */
export async function rawPollAll(connector: EmbeddedConnector, count: number): Promise<{ ms: number; messages: number }> {
  const started = performance.now();
  let total = 0;
  await Promise.all(
    Array.from({ length: PARTITIONS }, async (_, partition) => {
      let next = 0n;
      for (;;) {
        const batch = await connector.poll(RAW_STREAM, RAW_TOPIC, {
          consumer: { kind: 'consumer', id: 'bench' },
          partition,
          strategy: { kind: 'offset', value: next },
          count,
        });
        const last = batch.messages[batch.messages.length - 1];
        if (last === undefined) return;
        total += batch.messages.length;
        next = last.offset + 1n;
      }
    }),
  );
  return { ms: performance.now() - started, messages: total };
}
