// Throughput runs through `IggyTransport`: `publishBatch` in chunks, single `publish()` calls
// with a fixed number in flight, and consuming everything back through a consumer group.
import type { EventEnvelope } from '@rustok/core';
import type { CodecName } from '../../src/codec/types';
import { IggyTransport } from '../../src/index';
import { benchRegistry } from './workload';

/**
 * Opens a transport on a fresh embedded data dir (fsync 'interval'), with the bench registry
 * (typed events: payloads validated by zod, Avro payload schema) unless `registry` is false.
 */
export function openTransport(
  dataDir: string,
  codec: CodecName,
  fsyncIntervalMs: number,
  registry = true,
): Promise<IggyTransport> {
  return IggyTransport.create({
    connector: { embedded: { dataDir, fsync: { policy: 'interval', intervalMs: fsyncIntervalMs } } },
    ...(registry ? { registry: benchRegistry() } : {}),
    codec,
  });
}

/** Publishes with `publishBatch` in chunks of `batch`, one chunk at a time; returns elapsed ms. */
export async function publishBatches(
  transport: IggyTransport,
  envelopes: readonly EventEnvelope[],
  batch: number,
): Promise<number> {
  const started = performance.now();
  for (let from = 0; from < envelopes.length; from += batch) {
    await transport.publishBatch(envelopes.slice(from, from + batch));
  }
  return performance.now() - started;
}

/** Publishes with single `publish()` calls, keeping `inFlight` unresolved at all times; returns ms. */
export function publishInFlight(
  transport: IggyTransport,
  envelopes: readonly EventEnvelope[],
  inFlight: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let next = 0;
    let done = 0;
    let failed = false;
    const launch = (): void => {
      const envelope = envelopes[next++]!;
      transport.publish(envelope).then(onDone, onError);
    };
    const onDone = (): void => {
      done += 1;
      if (done === envelopes.length) resolve(performance.now() - started);
      else if (next < envelopes.length) launch();
    };
    const onError = (error: unknown): void => {
      if (failed) return;
      failed = true;
      reject(error);
    };
    for (let i = 0; i < Math.min(inFlight, envelopes.length); i++) launch();
  });
}

/**
 * Subscribes a fresh group from the earliest offset and waits until `expected` events were
 * handled; returns ms from `subscribe()` to the last handler call (and then closes the member).
 */
export async function consumeAll(transport: IggyTransport, group: string, expected: number): Promise<number> {
  let handled = 0;
  let finished!: () => void;
  const allHandled = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const started = performance.now();
  let ended = 0;
  const subscription = await transport.subscribe(group, {
    topics: ['domain'],
    startFrom: 'earliest',
    handler: () => {
      handled += 1;
      if (handled === expected) {
        ended = performance.now();
        finished();
      }
    },
  });
  const timeout = setTimeout(() => finished(), 60_000);
  await allHandled;
  clearTimeout(timeout);
  await subscription.close();
  if (handled < expected) throw new Error(`consumed only ${handled} of ${expected} events in 60 s`);
  return ended - started;
}

/**
 * End-to-end capacity: a subscriber (fresh group, from the latest offset) runs while `envelopes`
 * are published with `inFlight` single `publish()` calls outstanding; returns ms from the first
 * publish until the handler saw the last event.
 */
export async function publishWhileConsuming(
  transport: IggyTransport,
  group: string,
  envelopes: readonly EventEnvelope[],
  inFlight: number,
): Promise<number> {
  let handled = 0;
  let finished!: () => void;
  const allHandled = new Promise<void>((resolve) => {
    finished = resolve;
  });
  let ended = 0;
  const subscription = await transport.subscribe(group, {
    topics: ['domain'],
    startFrom: 'latest',
    handler: () => {
      handled += 1;
      if (handled === envelopes.length) {
        ended = performance.now();
        finished();
      }
    },
  });
  // Let the member settle its start position before the first publish.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = performance.now();
  const timeout = setTimeout(() => finished(), 60_000);
  await publishInFlight(transport, envelopes, inFlight);
  await allHandled;
  clearTimeout(timeout);
  await subscription.close();
  if (handled < envelopes.length) throw new Error(`handled only ${handled} of ${envelopes.length} events in 60 s`);
  return ended - started;
}
