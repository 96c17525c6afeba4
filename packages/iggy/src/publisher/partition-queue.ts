import type { OutgoingMessage } from '@rustok/iggy-connector';

/** One message waiting for its partition's next send. */
export interface QueuedMessage {
  /** The envelope id (for receipts and partial-publish reports). */
  eventId: string;
  message: OutgoingMessage;
  /** Size counted against the batch byte limit. */
  bytes: number;
}

/** Receives the outcome of queued messages: one `publish()` call, or all messages of a batch. */
export interface OffsetSink {
  /** The message at `index` of the caller's input was appended at `offset`. */
  resolved(index: number, offset: bigint): void;
  /** The message at `index` was not appended. */
  rejected(index: number, error: unknown): void;
}

/** A queued message and where its outcome goes. */
export interface PendingEntry {
  item: QueuedMessage;
  sink: OffsetSink;
  /** Position of the message in its caller's input (0 for a single publish). */
  index: number;
}

/** Limits of one send. */
export interface BatchLimits {
  maxMessages: number;
  maxBytes: number;
}

/** Bounds of what one partition may hold: queued plus in flight. */
export interface QueueBounds {
  maxQueuedMessages: number;
  maxQueuedBytes: number;
}

/** A FIFO of entries with an advancing head (no `shift()` cost), compacted as it drains. */
class EntryFifo {
  #items: PendingEntry[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  peek(): PendingEntry | undefined {
    return this.#items[this.#head];
  }

  push(entry: PendingEntry): void {
    this.#items.push(entry);
  }

  shift(): PendingEntry | undefined {
    const entry = this.#items[this.#head];
    if (entry === undefined) return undefined;
    this.#head += 1;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return entry;
  }

  drain(): PendingEntry[] {
    const rest = this.#head === 0 ? this.#items : this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return rest;
  }
}

/**
 * The messages of one topic partition: queued for the next send, in flight, and (when the
 * partition holds as much as its bounds allow) waiting to be queued, all in publish order.
 */
export class PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  /** Metric labels of this queue's sends. */
  readonly labels: Readonly<{ topic: string }>;
  sending = false;
  /** Counted by the publisher as holding or sending messages (its `flush()` waits for these). */
  active = false;
  readonly #queued = new EntryFifo();
  readonly #waiting = new EntryFifo();
  #heldMessages = 0;
  #heldBytes = 0;

  /** An empty queue for `topic`/`partition`. */
  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
    this.labels = Object.freeze({ topic });
  }

  /** Number of messages queued for a send (not in flight, not waiting). */
  get size(): number {
    return this.#queued.length;
  }

  /** Number of messages waiting for room under the bounds. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Messages queued or in flight (what the bounds limit). */
  get heldMessages(): number {
    return this.#heldMessages;
  }

  /** Bytes queued or in flight. */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Messages queued, in flight or waiting. */
  get pending(): number {
    return this.#heldMessages + this.#waiting.length;
  }

  /**
   * True when `messages` more (of `bytes` in total) fit the bounds now. A partition holding
   * nothing accepts any one call, so an oversized message or batch is never refused forever.
   */
  fits(messages: number, bytes: number, bounds: QueueBounds): boolean {
    if (this.#heldMessages === 0 && this.#waiting.length === 0) return true;
    return (
      this.#waiting.length === 0 &&
      this.#heldMessages + messages <= bounds.maxQueuedMessages &&
      this.#heldBytes + bytes <= bounds.maxQueuedBytes
    );
  }

  /** Queues an entry regardless of the bounds. */
  push(entry: PendingEntry): void {
    this.#queued.push(entry);
    this.#heldMessages += 1;
    this.#heldBytes += entry.item.bytes;
  }

  /**
   * Queues an entry when it fits the bounds and nothing waits before it; otherwise it waits (in
   * order) for `release()`. Returns true when it had to wait.
   */
  offer(entry: PendingEntry, bounds: QueueBounds): boolean {
    if (this.fits(1, entry.item.bytes, bounds)) {
      this.push(entry);
      return false;
    }
    this.#waiting.push(entry);
    return true;
  }

  /** Removes the next batch: at least one entry, then as many as fit the limits, in order. */
  take(limits: BatchLimits): PendingEntry[] {
    const batch: PendingEntry[] = [];
    let bytes = 0;
    for (let next = this.#queued.peek(); next !== undefined; next = this.#queued.peek()) {
      if (batch.length >= limits.maxMessages) break;
      if (batch.length > 0 && bytes + next.item.bytes > limits.maxBytes) break;
      batch.push(next);
      bytes += next.item.bytes;
      this.#queued.shift();
    }
    return batch;
  }

  /** Ends an in-flight batch: frees its room and queues waiting entries that now fit. */
  release(batch: readonly PendingEntry[], bounds: QueueBounds): void {
    this.#heldMessages -= batch.length;
    for (const entry of batch) this.#heldBytes -= entry.item.bytes;
    for (let next = this.#waiting.peek(); next !== undefined; next = this.#waiting.peek()) {
      const empty = this.#heldMessages === 0;
      if (
        !empty &&
        (this.#heldMessages + 1 > bounds.maxQueuedMessages ||
          this.#heldBytes + next.item.bytes > bounds.maxQueuedBytes)
      ) {
        break;
      }
      this.#waiting.shift();
      this.push(next);
    }
  }

  /** Removes and returns everything queued or waiting (not what is in flight). */
  takeAll(): PendingEntry[] {
    const queued = this.#queued.drain();
    for (const entry of queued) {
      this.#heldMessages -= 1;
      this.#heldBytes -= entry.item.bytes;
    }
    const waiting = this.#waiting.drain();
    return waiting.length === 0 ? queued : queued.concat(waiting);
  }
}
