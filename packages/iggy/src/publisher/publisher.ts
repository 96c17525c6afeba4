import {
  BackpressureError,
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
import type { IggyConnector, OutgoingMessage } from '@rustok/iggy-connector';
import {
  type BatchLimits,
  type OffsetSink,
  PartitionQueue,
  type PendingEntry,
  type QueueBounds,
  type QueuedMessage,
} from './partition-queue';

/** What a publish does when its partition already holds `maxQueued…` messages or bytes. */
export type QueueFullPolicy = 'wait' | 'reject';

/** Options of a `Publisher`. */
export interface PublisherOptions extends Partial<BatchLimits>, Partial<QueueBounds> {
  connector: IggyConnector;
  stream: string;
  /** `wait` (default): publishes wait for room, in order; `reject`: they throw `BACKPRESSURE`. */
  onQueueFull?: QueueFullPolicy;
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

/** Default bounds of one partition's queue (queued plus in flight): 10,000 messages or 16 MiB. */
export const DEFAULT_QUEUE_BOUNDS: Readonly<QueueBounds> = Object.freeze({
  maxQueuedMessages: 10_000,
  maxQueuedBytes: 16 * 1024 * 1024,
});

function asRustokError(error: unknown): RustokError {
  if (isRustokError(error)) return error;
  return new StorageError(`send failed: ${String(error)}`, { cause: error });
}

/** The sink of one `publish()` call: settles its promise with a receipt. */
class ReceiptSink implements OffsetSink {
  constructor(
    private readonly topic: string,
    private readonly partition: number,
    private readonly eventId: string,
    private readonly resolve: (receipt: PublishReceipt) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  resolved(_index: number, offset: bigint): void {
    this.resolve({ id: this.eventId, topic: this.topic, partition: this.partition, offset });
  }

  rejected(_index: number, error: unknown): void {
    this.reject(error);
  }
}

/** The sink of one `publishGroups()` call: collects every offset or failure, then settles once. */
class GroupSink implements OffsetSink {
  /** Appended offset by input index (undefined where the message failed). */
  readonly offsets: (bigint | undefined)[];
  firstError: unknown;
  failed = 0;
  #remaining: number;
  readonly #done: () => void;

  constructor(count: number, done: () => void) {
    this.offsets = new Array(count);
    this.#remaining = count;
    this.#done = done;
  }

  resolved(index: number, offset: bigint): void {
    this.offsets[index] = offset;
    this.#settleOne();
  }

  rejected(_index: number, error: unknown): void {
    if (this.failed === 0) this.firstError = error;
    this.failed += 1;
    this.#settleOne();
  }

  #settleOne(): void {
    this.#remaining -= 1;
    if (this.#remaining === 0) this.#done();
  }
}

/**
 * Sends messages with one send in flight per partition. Publishes arriving while a send is in
 * flight are coalesced into the next one (bounded by count and bytes); an idle partition sends at
 * once. What a partition may hold (queued plus in flight) is bounded too: beyond it, publishes
 * wait for room in order, or throw `BACKPRESSURE`. A failed send fails everything queued behind
 * it on that partition, so no retry can reorder a tenant.
 */
export class Publisher {
  readonly #connector: IggyConnector;
  readonly #stream: string;
  readonly #limits: BatchLimits;
  readonly #bounds: QueueBounds;
  readonly #onQueueFull: QueueFullPolicy;
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  readonly #onError: ((error: RustokError) => void) | undefined;
  /** Queues holding or sending messages (`PartitionQueue.active`); `flush()` waits for none. */
  #activeQueues = 0;
  /** Every queue made so far, by topic and partition (idle ones are kept for reuse). */
  readonly #byTopic = new Map<string, PartitionQueue[]>();
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
    this.#bounds = {
      maxQueuedMessages: options.maxQueuedMessages ?? DEFAULT_QUEUE_BOUNDS.maxQueuedMessages,
      maxQueuedBytes: options.maxQueuedBytes ?? DEFAULT_QUEUE_BOUNDS.maxQueuedBytes,
    };
    this.#onQueueFull = options.onQueueFull ?? 'wait';
    this.#logger = options.logger ?? noopLogger;
    this.#metrics = options.metrics ?? noopMetrics;
    this.#onError = options.onError;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Number of messages queued, in flight or waiting for room, over all partitions. */
  get pending(): number {
    let n = 0;
    for (const queues of this.#byTopic.values()) for (const q of queues) if (q !== undefined) n += q.pending;
    return n;
  }

  /**
   * Publishes one message to a partition; resolves with its receipt once appended. When the
   * partition is full it waits for room, or throws `BACKPRESSURE` with `onQueueFull: 'reject'`.
   */
  publish(topic: string, partition: number, item: QueuedMessage): Promise<PublishReceipt> {
    this.#assertOpen();
    const queue = this.#queue(topic, partition);
    if (this.#onQueueFull === 'reject' && !queue.fits(1, item.bytes, this.#bounds)) {
      throw this.#backpressure(queue);
    }
    return new Promise<PublishReceipt>((resolve, reject) => {
      const sink = new ReceiptSink(topic, partition, item.eventId, resolve, reject);
      if (queue.offer({ item, sink, index: 0 }, this.#bounds)) this.#waited(queue, 1);
      if (!queue.sending) void this.#drain(queue);
    });
  }

  /**
   * Publishes pre-validated messages grouped by partition (order kept within each group), using
   * as few sends as the limits allow; receipts follow the groups' order. If some fail, throws
   * `PARTIAL_PUBLISH` listing the ids that were appended (or the send error when none was).
   * With `onQueueFull: 'reject'`, nothing is queued when one partition lacks room (`BACKPRESSURE`).
   */
  async publishGroups(input: readonly PartitionBatch[]): Promise<PublishReceipt[]> {
    this.#assertOpen();
    const groups = input.filter((group) => group.items.length > 0);
    const queues = groups.map((group) => this.#queue(group.topic, group.partition));
    if (this.#onQueueFull === 'reject') this.#assertRoom(groups, queues);
    let total = 0;
    for (const group of groups) total += group.items.length;
    if (total === 0) return [];
    let sink!: GroupSink;
    const settled = new Promise<void>((resolve) => {
      sink = new GroupSink(total, resolve);
    });
    let index = 0;
    groups.forEach((group, g) => {
      const queue = queues[g]!;
      let waited = 0;
      for (const item of group.items) {
        if (this.#onQueueFull === 'reject') queue.push({ item, sink, index: index++ });
        else if (queue.offer({ item, sink, index: index++ }, this.#bounds)) waited += 1;
      }
      if (waited > 0) this.#waited(queue, waited);
      if (!queue.sending) void this.#drain(queue);
    });
    await settled;
    const receipts: PublishReceipt[] = [];
    index = 0;
    for (const group of groups) {
      for (const item of group.items) {
        const offset = sink.offsets[index++];
        if (offset !== undefined) {
          receipts.push({ id: item.eventId, topic: group.topic, partition: group.partition, offset });
        }
      }
    }
    if (sink.failed === 0) return receipts;
    if (receipts.length === 0) throw sink.firstError;
    const error = asRustokError(sink.firstError);
    throw new PartialPublishError(
      `batch publish stopped: ${receipts.length} of ${total} events published (${error.code}: ${error.message})`,
      receipts.map((r) => r.id),
      { cause: sink.firstError },
    );
  }

  /** Resolves once every queued message was sent (or failed). */
  flush(): Promise<void> {
    if (this.#activeQueues === 0) return Promise.resolve();
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

  #queue(topic: string, partition: number): PartitionQueue {
    let queues = this.#byTopic.get(topic);
    if (queues === undefined) {
      queues = [];
      this.#byTopic.set(topic, queues);
    }
    let queue = queues[partition];
    if (queue === undefined) {
      queue = new PartitionQueue(topic, partition);
      queues[partition] = queue;
    }
    if (!queue.active) {
      queue.active = true;
      this.#activeQueues += 1;
    }
    return queue;
  }

  /** Throws `BACKPRESSURE` when one of the groups does not fit its partition's bounds. */
  #assertRoom(groups: readonly PartitionBatch[], queues: readonly PartitionQueue[]): void {
    const needed = new Map<PartitionQueue, { messages: number; bytes: number }>();
    groups.forEach((group, g) => {
      const queue = queues[g]!;
      const need = needed.get(queue) ?? { messages: 0, bytes: 0 };
      need.messages += group.items.length;
      for (const item of group.items) need.bytes += item.bytes;
      needed.set(queue, need);
    });
    let full: PartitionQueue | undefined;
    for (const [queue, need] of needed) {
      if (need.messages > 0 && !queue.fits(need.messages, need.bytes, this.#bounds)) full ??= queue;
    }
    if (full === undefined) return;
    // Queues created just for this call hold nothing; drop them again.
    for (const queue of needed.keys()) if (queue.pending === 0 && !queue.sending) this.#forget(queue);
    throw this.#backpressure(full);
  }

  #backpressure(queue: PartitionQueue): BackpressureError {
    const where = { topic: queue.topic, partition: queue.partition };
    this.#metrics.increment('rustok.iggy.publish.backpressure', 1, { topic: queue.topic, policy: 'reject' });
    return new BackpressureError(
      `partition ${queue.topic}/${queue.partition} holds ${queue.heldMessages} messages (${queue.heldBytes} bytes); ` +
        `limits are ${this.#bounds.maxQueuedMessages} messages and ${this.#bounds.maxQueuedBytes} bytes`,
      {
        details: {
          ...where,
          heldMessages: queue.heldMessages,
          heldBytes: queue.heldBytes,
          maxQueuedMessages: this.#bounds.maxQueuedMessages,
          maxQueuedBytes: this.#bounds.maxQueuedBytes,
        },
      },
    );
  }

  #waited(queue: PartitionQueue, messages: number): void {
    this.#metrics.increment('rustok.iggy.publish.backpressure', messages, { topic: queue.topic, policy: 'wait' });
  }

  #forget(queue: PartitionQueue): void {
    if (!queue.active) return;
    queue.active = false;
    this.#activeQueues -= 1;
    if (this.#activeQueues === 0) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  async #drain(queue: PartitionQueue): Promise<void> {
    queue.sending = true;
    const labels = queue.labels;
    while (queue.size > 0) {
      const batch = queue.take(this.#limits);
      const messages: OutgoingMessage[] = new Array(batch.length);
      for (let i = 0; i < batch.length; i++) messages[i] = batch[i]!.item.message;
      const started = performance.now();
      try {
        const { baseOffset } = await this.#connector.send(this.#stream, queue.topic, queue.partition, messages);
        let offset = baseOffset;
        for (const entry of batch) {
          entry.sink.resolved(entry.index, offset);
          offset += 1n;
        }
        this.#metrics.observe('rustok.iggy.publish.latency_ms', performance.now() - started, labels);
        this.#metrics.observe('rustok.iggy.publish.batch_size', batch.length, labels);
        this.#metrics.increment('rustok.iggy.publish.messages', batch.length, labels);
      } catch (cause) {
        this.#fail(queue, batch, asRustokError(cause));
      }
      queue.release(batch, this.#bounds);
    }
    queue.sending = false;
    if (queue.pending === 0) this.#forget(queue);
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
    for (const entry of batch) entry.sink.rejected(entry.index, error);
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
    for (const entry of behind) entry.sink.rejected(entry.index, notSent);
  }
}
