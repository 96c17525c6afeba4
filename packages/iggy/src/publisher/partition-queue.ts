import type { OutgoingMessage } from '@rustok/iggy-connector';

/** One message waiting for its partition's next send. */
export interface QueuedMessage {
  /** The envelope id (for receipts and partial-publish reports). */
  eventId: string;
  message: OutgoingMessage;
  /** Size counted against the batch byte limit. */
  bytes: number;
}

/** A queued message with the promise callbacks of its publisher. */
export interface PendingEntry {
  item: QueuedMessage;
  resolve(offset: bigint): void;
  reject(error: unknown): void;
}

/** Limits of one send. */
export interface BatchLimits {
  maxMessages: number;
  maxBytes: number;
}

/** The pending messages of one topic partition and whether a send is in flight. */
export class PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  sending = false;
  #pending: PendingEntry[] = [];
  #head = 0;

  /** An empty queue for `topic`/`partition`. */
  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  /** Number of messages waiting. */
  get size(): number {
    return this.#pending.length - this.#head;
  }

  /** Appends an entry. */
  push(entry: PendingEntry): void {
    this.#pending.push(entry);
  }

  /** Removes the next batch: at least one entry, then as many as fit the limits, in order. */
  take(limits: BatchLimits): PendingEntry[] {
    const batch: PendingEntry[] = [];
    let bytes = 0;
    while (this.#head < this.#pending.length && batch.length < limits.maxMessages) {
      const next = this.#pending[this.#head]!;
      if (batch.length > 0 && bytes + next.item.bytes > limits.maxBytes) break;
      batch.push(next);
      bytes += next.item.bytes;
      this.#head += 1;
    }
    this.#compact();
    return batch;
  }

  /** Removes and returns everything still waiting. */
  takeAll(): PendingEntry[] {
    const rest = this.#pending.slice(this.#head);
    this.#pending = [];
    this.#head = 0;
    return rest;
  }

  #compact(): void {
    if (this.#head === this.#pending.length) {
      this.#pending = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
  }
}
