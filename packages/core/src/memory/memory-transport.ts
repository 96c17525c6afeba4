import type { EventEnvelope } from '../envelope/types';
import {
  BackpressureError,
  ClosedError,
  NoSubscribersError,
  ValidationError,
  isRustokError,
} from '../errors/rustok-error';
import { type Logger, type Metrics, noopLogger, noopMetrics, safeLogger, safeMetrics } from '../hooks/index';
import { parseOptions } from '../internal/parse-options';
import type {
  EventSubscriber,
  EventTransport,
  PublishReceipt,
  SubscribeOptions,
  Subscription,
  TransportHealth,
} from '../transport/types';
import { validateEnvelope } from '../validation/validate';
import { type BackpressureChange, type BackpressureSnapshot, worstState } from './backpressure';
import { type GroupEnvironment, MemoryGroup } from './group';
import {
  type DeadLetter,
  GroupNameSchema,
  MemorySubscribeOptionsSchema,
  type MemoryTransportOptions,
  MemoryTransportOptionsSchema,
  type ResolvedMemoryTransportOptions,
} from './options';
import { DEFAULT_RETRY, mergeRetry, type ResolvedRetryOptions } from './retry';
import { MemorySubscription } from './subscription';

/**
 * In-process fan-out bus for tests and single-process apps (reliability `'in-memory'`). Every
 * group receives every event it subscribed to; the subscriptions of one group share its bounded
 * queue (competing consumers). Delivery is at-least-once with retries, in queue order per group.
 */
export class MemoryTransport implements EventTransport, EventSubscriber, AsyncDisposable {
  readonly reliability = 'in-memory' as const;
  readonly #options: ResolvedMemoryTransportOptions;
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  readonly #retry: ResolvedRetryOptions;
  readonly #groups = new Map<string, MemoryGroup>();
  readonly #env: GroupEnvironment;
  #closing: Promise<void> | undefined;
  #published = 0;

  /** Creates an open transport; bad options throw `VALIDATION`. */
  constructor(options: MemoryTransportOptions = {}) {
    this.#options = parseOptions(MemoryTransportOptionsSchema, options, 'MemoryTransport options');
    this.#logger = this.#options.logger ? safeLogger(this.#options.logger) : noopLogger;
    this.#metrics = this.#options.metrics ? safeMetrics(this.#options.metrics) : noopMetrics;
    this.#retry = mergeRetry(DEFAULT_RETRY, this.#options.retry);
    this.#env = {
      capacity: this.#options.capacity,
      overflow: this.#options.overflow,
      thresholds: {
        warningRatio: this.#options.warningRatio,
        criticalRatio: this.#options.criticalRatio,
      },
      logger: this.#logger,
      metrics: this.#metrics,
      onBackpressureChange: (change) => this.#backpressureChanged(change),
      onDeadLetter: (letter) => this.#deadLettered(letter),
      onIdle: (group) => {
        if (this.#groups.get(group.name) === group) this.#groups.delete(group.name);
      },
    };
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Validates the envelope (against the registry when one is configured) and queues it for every
   * interested group. Throws `CLOSED`, a validation code, `NO_SUBSCRIBERS` or `BACKPRESSURE`.
   */
  async publish(envelope: EventEnvelope): Promise<PublishReceipt> {
    this.#assertOpen();
    const event = this.#validate(envelope);
    const targets = this.#targets(event);
    this.#ensureRoom(new Map(targets.map((g) => [g, 1])));
    for (const group of targets) group.enqueue(event);
    this.#published++;
    this.#metrics.increment('rustok.memory.published', 1);
    return { id: event.id };
  }

  /**
   * Validates every envelope and checks every group's room first; publishes all of them in order,
   * or none when one is invalid, has no subscriber or would overflow a `reject` queue.
   */
  async publishBatch(envelopes: readonly EventEnvelope[]): Promise<PublishReceipt[]> {
    this.#assertOpen();
    if (!Array.isArray(envelopes)) {
      throw new ValidationError('publishBatch() needs an array of envelopes', {
        details: { field: 'envelopes' },
      });
    }
    const events = envelopes.map((envelope, index) => this.#validate(envelope, index));
    const plan = events.map((event) => [event, this.#targets(event)] as const);
    const needed = new Map<MemoryGroup, number>();
    for (const [, targets] of plan) {
      for (const group of targets) needed.set(group, (needed.get(group) ?? 0) + 1);
    }
    this.#ensureRoom(needed);
    for (const [event, targets] of plan) {
      for (const group of targets) group.enqueue(event);
    }
    this.#published += events.length;
    this.#metrics.increment('rustok.memory.published', events.length);
    this.#metrics.observe('rustok.memory.batch_size', events.length);
    return events.map((event) => ({ id: event.id }));
  }

  /**
   * Starts a subscription in `group`. Several subscriptions of one group compete for its events;
   * `concurrency`, `retry`, `handlerTimeoutMs` and `types` apply per subscription.
   */
  async subscribe<TPayload = unknown>(
    group: string,
    options: SubscribeOptions<TPayload>,
  ): Promise<Subscription & AsyncDisposable> {
    this.#assertOpen();
    const name = parseOptions(GroupNameSchema, group, 'group name');
    const opts = parseOptions(MemorySubscribeOptionsSchema, options, 'subscribe options');
    let target = this.#groups.get(name);
    if (target === undefined) {
      target = new MemoryGroup(name, this.#env);
      this.#groups.set(name, target);
    }
    const plan = {
      group: name,
      handler: opts.handler,
      retry: mergeRetry(this.#retry, opts.retry),
      handlerTimeoutMs: opts.handlerTimeoutMs ?? this.#options.handlerTimeoutMs,
    };
    const sub = new MemorySubscription(target, plan, opts.concurrency, opts.types);
    target.add(sub);
    return sub;
  }

  /** Each group's queue state and the worst of them. */
  backpressure(): BackpressureSnapshot {
    const snapshot: BackpressureSnapshot = { state: 'normal', groups: {} };
    for (const [name, group] of this.#groups) {
      const view = group.backpressure();
      snapshot.groups[name] = view;
      snapshot.state = worstState(snapshot.state, view.state);
    }
    return snapshot;
  }

  /** `healthy`; `degraded` while a queue is in warning or critical state; `unhealthy` once closed. */
  async health(): Promise<TransportHealth> {
    const snapshot = this.backpressure();
    const groups = Object.fromEntries([...this.#groups].map(([name, g]) => [name, g.stats()]));
    let status: TransportHealth['status'] = 'healthy';
    if (this.closed) status = 'unhealthy';
    else if (snapshot.state !== 'normal') status = 'degraded';
    return {
      status,
      reliability: this.reliability,
      details: {
        closed: this.closed,
        published: this.#published,
        backpressure: snapshot.state,
        capacity: this.#options.capacity,
        overflow: this.#options.overflow,
        groups,
      },
    };
  }

  /**
   * Rejects new publishes and subscriptions with `CLOSED` at once, then waits until every event
   * already accepted was handled (with its retries) and closes every subscription.
   */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      const subs = [...this.#groups.values()].flatMap((g) => [...g.subscriptions]);
      this.#closing = Promise.all(subs.map((s) => s.close())).then(() => {
        this.#logger.info('memory transport closed', { published: this.#published });
      });
    }
    return this.#closing;
  }

  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #assertOpen(): void {
    if (this.closed) throw new ClosedError('MemoryTransport is closed');
  }

  #validate(envelope: unknown, index?: number): EventEnvelope {
    let event: EventEnvelope;
    try {
      event = this.#options.registry
        ? this.#options.registry.validate(envelope)
        : validateEnvelope(envelope);
    } catch (error) {
      if (index === undefined || !isRustokError(error)) throw error;
      throw new ValidationError(`envelopes[${index}]: ${error.message}`, {
        code: error.code,
        details: { ...error.details, index },
        cause: error,
      });
    }
    Object.freeze(event.headers);
    return Object.freeze(event);
  }

  #targets(event: EventEnvelope): MemoryGroup[] {
    const targets = [...this.#groups.values()].filter((g) => g.wants(event.type));
    if (targets.length === 0) {
      throw new NoSubscribersError(`no subscriber receives "${event.type}" events`, {
        details: { type: event.type, eventId: event.id, groups: [...this.#groups.keys()] },
      });
    }
    return targets;
  }

  #ensureRoom(needed: ReadonlyMap<MemoryGroup, number>): void {
    if (this.#options.overflow !== 'reject') return;
    for (const [group, count] of needed) {
      if (count > group.freeSpace) {
        this.#metrics.increment('rustok.memory.rejected', 1, { group: group.name });
        throw new BackpressureError(
          `queue of group "${group.name}" is full (${group.queued}/${this.#options.capacity} queued, ${count} more offered)`,
          {
            details: {
              group: group.name,
              queued: group.queued,
              capacity: this.#options.capacity,
              offered: count,
            },
          },
        );
      }
    }
  }

  #backpressureChanged(change: BackpressureChange): void {
    const rising = change.current === 'critical' || change.previous === 'normal';
    this.#logger[rising ? 'warn' : 'info']('memory transport backpressure changed', { ...change });
    this.#callUser('onBackpressureChange', () => this.#options.onBackpressureChange?.(change));
  }

  #deadLettered(letter: DeadLetter): void {
    this.#callUser('onDeadLetter', () => this.#options.onDeadLetter?.(letter));
  }

  #callUser(name: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#logger.error(`memory transport ${name} callback threw`, {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
