import {
  ClosedError,
  isRustokError,
  type Logger,
  type Metrics,
  noopLogger,
  noopMetrics,
  PartialPublishError,
  type PublishReceipt,
  RustokError,
  StorageError,
} from '@rustok/core';
import type { IggyConnector } from '@rustok/iggy-connector';
import { type BatchLimits, type PendingEntry, PartitionQueue, type QueuedMessage } from './partition-queue';

/** Options of a `Publisher`. */
export interface PublisherOptions extends Partial<BatchLimits> {
  connector: IggyConnector;
  stream: string;
  logger?: Logger;
  metrics?: Metrics;
  /** Called with every failed send (e.g. to remember the last error for health). */
  onError?: (error: RustokError) => void;
}

/** Messages for one topic partition, in publish order. */
export interface PartitionBatch {
  topic: string;
  partition: number;
  items: readonly QueuedMessage[];
}

/** Default batch limits: 1000 messages or 1 MiB per send. */
export const DEFAULT_BATCH_LIMITS: Readonly<BatchLimits> = Object.freeze({
  maxMessages: 1000,
  maxBytes: 1024 * 1024,
});

function asRustokError(error: unknown): RustokError {
  if (isRustokError(error)) return error;
  return new StorageError(`send failed: ${String(error)}`, { cause: error });
}

/**
 * Sends messages with one send in flight per partition. Publishes arriving while a send is in
 * flight are coalesced into the next one (bounded by count and bytes); an idle partition sends at
 * once. A failed send fails everything queued behind it on that partition, so no retry can
 * reorder a tenant.
 */
export class Publisher {
  readonly #connector: IggyConnector;
  readonly #stream: string;
  readonly #limits: BatchLimits;
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  readonly #onError: ((error: RustokError) => void) | undefined;
  readonly #queues = new Map<string, PartitionQueue>();
  readonly #idleWaiters: (() => void)[] = [];
  #closed = false;

  /** Creates a publisher over `connector`; nothing is sent until something is published. */
  constructor(options: PublisherOptions) {
    this.#connector = options.connector;
    this.#stream = options.stream;
    this.#limits = {
      maxMessages: options.maxMessages ?? DEFAULT_BATCH_LIMITS.maxMessages,
      maxBytes: options.maxBytes ?? DEFAULT_BATCH_LIMITS.maxBytes,
    };
    this.#logger = options.logger ?? noopLogger;
    this.#metrics = options.metrics ?? noopMetrics;
    this.#onError = options.onError;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Number of messages queued or in flight, over all partitions. */
  get pending(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.size;
    return n;
  }

  /** Publishes one message to a partition; resolves with its receipt once appended. */
  publish(topic: string, partition: number, item: QueuedMessage): Promise<PublishReceipt> {
    this.#assertOpen();
    const [offset] = this.#enqueue(topic, partition, [item]);
    return offset!.then((o) => ({ id: item.eventId, topic, partition, offset: o }));
  }

  /**
   * Publishes pre-validated messages grouped by partition (order kept within each group), using
   * as few sends as the limits allow; receipts follow the groups' order. If some fail, throws
   * `PARTIAL_PUBLISH` listing the ids that were appended (or the send error when none was).
   */
  async publishGroups(groups: readonly PartitionBatch[]): Promise<PublishReceipt[]> {
    this.#assertOpen();
    const pending: { item: QueuedMessage; topic: string; partition: number; offset: Promise<bigint> }[] =
      [];
    for (const group of groups) {
      const offsets = this.#enqueue(group.topic, group.partition, group.items);
      group.items.forEach((item, i) => {
        pending.push({ item, topic: group.topic, partition: group.partition, offset: offsets[i]! });
      });
    }
    const settled = await Promise.allSettled(pending.map((p) => p.offset));
    const receipts: PublishReceipt[] = [];
    let firstError: unknown;
    settled.forEach((result, i) => {
      const p = pending[i]!;
      if (result.status === 'fulfilled') {
        receipts.push({ id: p.item.eventId, topic: p.topic, partition: p.partition, offset: result.value });
      } else {
        firstError ??= result.reason;
      }
    });
    if (firstError !== undefined) {
      if (receipts.length === 0) throw firstError;
      const error = asRustokError(firstError);
      throw new PartialPublishError(
        `batch publish stopped: ${receipts.length} of ${pending.length} events published (${error.code}: ${error.message})`,
        receipts.map((r) => r.id),
        { cause: firstError },
      );
    }
    return receipts;
  }

  /** Resolves once every queued message was sent (or failed). */
  flush(): Promise<void> {
    if (this.#queues.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Flushes, then rejects every later publish with `CLOSED`. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError('the transport is closed; publish rejected');
  }

  #enqueue(topic: string, partition: number, items: readonly QueuedMessage[]): Promise<bigint>[] {
    const key = `${topic}\u0000${partition}`;
    let queue = this.#queues.get(key);
    if (!queue) {
      queue = new PartitionQueue(topic, partition);
      this.#queues.set(key, queue);
    }
    const offsets = items.map(
      (item) =>
        new Promise<bigint>((resolve, reject) => {
          queue.push({ item, resolve, reject });
        }),
    );
    if (!queue.sending) void this.#drain(key, queue);
    return offsets;
  }

  async #drain(key: string, queue: PartitionQueue): Promise<void> {
    queue.sending = true;
    const labels = { topic: queue.topic };
    while (queue.size > 0) {
      const batch = queue.take(this.#limits);
      const started = performance.now();
      try {
        const { baseOffset } = await this.#connector.send(
          this.#stream,
          queue.topic,
          queue.partition,
          batch.map((e) => e.item.message),
        );
        batch.forEach((entry, i) => {
          entry.resolve(baseOffset + BigInt(i));
        });
        this.#metrics.observe('rustok.iggy.publish.latency_ms', performance.now() - started, labels);
        this.#metrics.observe('rustok.iggy.publish.batch_size', batch.length, labels);
        this.#metrics.increment('rustok.iggy.publish.messages', batch.length, labels);
      } catch (cause) {
        this.#fail(queue, batch, asRustokError(cause));
      }
    }
    queue.sending = false;
    this.#queues.delete(key);
    if (this.#queues.size === 0) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  #fail(queue: PartitionQueue, batch: PendingEntry[], error: RustokError): void {
    const behind = queue.takeAll();
    this.#metrics.increment('rustok.iggy.publish.errors', batch.length + behind.length, {
      topic: queue.topic,
      code: error.code,
    });
    this.#logger.warn('publish failed', {
      topic: queue.topic,
      partition: queue.partition,
      failed: batch.length,
      queuedBehind: behind.length,
      code: error.code,
      error: error.message,
    });
    this.#onError?.(error);
    for (const entry of batch) entry.reject(error);
    if (behind.length === 0) return;
    const notSent = new RustokError(
      error.code,
      `not sent: an earlier send to ${queue.topic}/${queue.partition} failed (${error.message})`,
      {
        cause: error,
        retriable: error.retriable,
        ...(error.iggyCode === undefined ? {} : { iggyCode: error.iggyCode }),
        details: { topic: queue.topic, partition: queue.partition },
      },
    );
    for (const entry of behind) entry.reject(notSent);
  }
}
