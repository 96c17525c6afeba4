import type { EventEnvelope } from '../envelope/types';
import type { Logger, Metrics } from '../hooks/index';
import {
  type BackpressureChange,
  type BackpressureState,
  type BackpressureThresholds,
  backpressureState,
  type GroupBackpressure,
} from './backpressure';
import { type DeliveryResult, deliverWithRetry } from './deliver';
import type { DeadLetter } from './options';
import { RingBuffer } from './ring-buffer';
import type { MemorySubscription, SubscriptionHost } from './subscription';

/** What a group needs from its transport. */
export interface GroupEnvironment {
  capacity: number;
  overflow: 'reject' | 'drop-oldest';
  thresholds: BackpressureThresholds;
  logger: Logger;
  metrics: Metrics;
  onBackpressureChange(change: BackpressureChange): void;
  onDeadLetter(letter: DeadLetter): void;
  /** The group has no subscription and nothing queued: the transport forgets it. */
  onIdle(group: MemoryGroup): void;
}

/** Counters of one group since it was created. */
export interface GroupStats extends GroupBackpressure {
  subscriptions: number;
  delivered: number;
  deadLettered: number;
  retries: number;
  skipped: number;
}

/**
 * One consumer group of a MemoryTransport: a bounded FIFO queue that every published event of
 * interest enters once, shared by the group's subscriptions (competing consumers).
 */
export class MemoryGroup implements SubscriptionHost {
  readonly name: string;
  readonly #env: GroupEnvironment;
  readonly #queue = new RingBuffer<EventEnvelope>();
  readonly #subs: MemorySubscription[] = [];
  readonly #labels: Readonly<Record<string, string>>;
  #cursor = 0;
  #state: BackpressureState = 'normal';
  #pumpScheduled = false;
  #dropped = 0;
  #delivered = 0;
  #deadLettered = 0;
  #retries = 0;
  #skipped = 0;

  /** Creates an empty group; the transport owns it. */
  constructor(name: string, env: GroupEnvironment) {
    this.name = name;
    this.#env = env;
    this.#labels = Object.freeze({ group: name });
  }

  /** Events waiting for a handler. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Room left in the queue. */
  get freeSpace(): number {
    return this.#env.capacity - this.#queue.size;
  }

  /** The group's subscriptions, closing ones included. */
  get subscriptions(): readonly MemorySubscription[] {
    return this.#subs;
  }

  /** True when a subscription that is not closing would receive events of `type`. */
  wants(type: string): boolean {
    return this.#subs.some((s) => !s.closing && s.accepts(type));
  }

  /** Adds a subscription; it starts receiving queued events at once. */
  add(sub: MemorySubscription): void {
    this.#subs.push(sub);
    this.#schedule();
  }

  /** Queues an event; when full, drops the oldest queued one (the caller enforces `reject`). */
  enqueue(event: EventEnvelope): void {
    if (this.#queue.size >= this.#env.capacity) {
      this.#queue.shift();
      this.#dropped++;
      this.#env.metrics.increment('rustok.memory.dropped', 1, this.#labels);
      this.#env.logger.debug('memory transport dropped the oldest queued event', {
        group: this.name,
        capacity: this.#env.capacity,
      });
    }
    this.#queue.push(event);
    this.#updateBackpressure();
    this.#schedule();
  }

  /** See `SubscriptionHost`. */
  subscriptionClosing(_sub: MemorySubscription): void {
    this.#schedule();
  }

  /** The queue's backpressure view. */
  backpressure(): GroupBackpressure {
    return {
      state: this.#state,
      queued: this.#queue.size,
      capacity: this.#env.capacity,
      inFlight: this.#subs.reduce((n, s) => n + s.active, 0),
      dropped: this.#dropped,
    };
  }

  /** Backpressure plus delivery counters. */
  stats(): GroupStats {
    return {
      ...this.backpressure(),
      subscriptions: this.#subs.length,
      delivered: this.#delivered,
      deadLettered: this.#deadLettered,
      retries: this.#retries,
      skipped: this.#skipped,
    };
  }

  #schedule(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    for (let event = this.#queue.peek(); event !== undefined; event = this.#queue.peek()) {
      const target = this.#pick(event.type);
      if (target === undefined) break;
      this.#queue.shift();
      this.#updateBackpressure();
      if (target === 'skip') this.#skipped++;
      else this.#start(target, event);
    }
    this.#settleClosing();
  }

  /**
   * Chooses, round-robin, a subscription with free capacity that accepts `type`: among those not
   * closing, or among the closing ones when none is left (they drain the queue). `'skip'` when
   * none of them accepts the type at all.
   */
  #pick(type: string): MemorySubscription | 'skip' | undefined {
    const live = this.#subs.filter((s) => !s.closing);
    const pool = live.length > 0 ? live : this.#subs;
    let anyAccepts = false;
    for (let i = 0; i < pool.length; i++) {
      const index = (this.#cursor + i) % pool.length;
      const sub = pool[index]!;
      if (!sub.accepts(type)) continue;
      anyAccepts = true;
      if (sub.hasCapacity) {
        this.#cursor = index + 1;
        return sub;
      }
    }
    return anyAccepts ? undefined : 'skip';
  }

  #start(sub: MemorySubscription, event: EventEnvelope): void {
    sub.begin();
    const started = performance.now();
    const onRetry = (attempt: number, error: unknown, delayMs: number): void => {
      this.#retries++;
      this.#env.metrics.increment('rustok.memory.retries', 1, this.#labels);
      this.#env.logger.debug('memory transport handler failed, retrying', {
        group: this.name,
        eventId: event.id,
        attempt,
        delayMs,
        error: errorMessage(error),
      });
    };
    deliverWithRetry(event, sub.plan, onRetry)
      .catch((error: unknown): DeliveryResult => ({ ok: false, attempts: 0, error }))
      .then((result) => {
        sub.end();
        this.#schedule();
        this.#env.metrics.observe('rustok.memory.handler_ms', performance.now() - started, this.#labels);
        if (result.ok) this.#delivered++;
        else this.#deadLetter(event, result.error, result.attempts);
      });
  }

  #deadLetter(event: EventEnvelope, error: unknown, attempts: number): void {
    this.#deadLettered++;
    this.#env.metrics.increment('rustok.memory.dead_letters', 1, this.#labels);
    this.#env.logger.error('memory transport handler failed on every attempt; event dropped', {
      group: this.name,
      eventId: event.id,
      type: event.type,
      attempts,
      error: errorMessage(error),
    });
    this.#env.onDeadLetter({ group: this.name, event, error, attempts });
  }

  #updateBackpressure(): void {
    const queued = this.#queue.size;
    this.#env.metrics.gauge('rustok.memory.queue_depth', queued, this.#labels);
    const next = backpressureState(queued, this.#env.capacity, this.#env.thresholds);
    if (next === this.#state) return;
    const previous = this.#state;
    this.#state = next;
    this.#env.onBackpressureChange({
      group: this.name,
      previous,
      current: next,
      queued,
      capacity: this.#env.capacity,
    });
  }

  /** Releases closing subscriptions that are idle and no longer needed to drain the queue. */
  #settleClosing(): void {
    const live = this.#subs.some((s) => !s.closing);
    for (const sub of [...this.#subs]) {
      if (sub.closing && sub.active === 0 && (live || this.#queue.size === 0)) {
        this.#subs.splice(this.#subs.indexOf(sub), 1);
        sub.released();
      }
    }
    if (this.#subs.length === 0 && this.#queue.size === 0) this.#env.onIdle(this);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
