import {
  ClosedError,
  type EventEnvelope,
  type EventRegistry,
  type EventSubscriber,
  type EventTransport,
  isRustokError,
  type Logger,
  type Metrics,
  NotFoundError,
  noopLogger,
  noopMetrics,
  type PublishReceipt,
  type ReliabilityLevel,
  type RustokError,
  SerializationError,
  type SerializedEvent,
  type SubscribeOptions,
  type Subscription,
  type TransportHealth,
  ValidationError,
  validateEnvelope,
} from '@rustok/core';
import { createConnector, type IggyConnector, type PolledMessage } from '@rustok/iggy-connector';
import { MessageCodec, parseSerialized } from '../codec/message-codec';
import {
  computeLag,
  consumeGroup,
  type DeliveryStream,
  type GroupConsumer,
  type GroupLag,
  type IggyConsumeOptions,
  type IggySubscribeOptions,
  type ResetResult,
  type ResetTarget,
  resetGroupOffsets,
  startGroupConsumer,
} from '../consumer/index';
import type { ConsumerDeps } from '../consumer/types';
import { DeadLetterQueue } from '../dlq/dead-letter-queue';
import { createDeadLetterWriter } from '../dlq/writer';
import { computeHealth, type GroupLagSummary, type LastError } from '../health/health';
import { TenantHashCache } from '../partitioning/tenant-hash-cache';
import type { QueuedMessage } from '../publisher/partition-queue';
import { type PartitionBatch, Publisher } from '../publisher/publisher';
import { type ReplayedEvent, replay } from '../replay/replay';
import type { ReplayOptions } from '../replay/options';
import { Router } from '../routing/router';
import { ensureTopology, resolveTopics, type TopologyReport } from '../topology/topology';
import {
  type IggyTransportOptions,
  isConnector,
  parseTransportOptions,
  type ResolvedIggyTransportOptions,
  routeRules,
} from './options';

/** A live `subscribe()` subscription; `close()` drains in-flight work, commits and leaves. */
export interface IggySubscription extends Subscription, AsyncDisposable {
  readonly topics: readonly string[];
  /** Partitions this member currently consumes, per topic. */
  assignment(): { topic: string; partitions: number[] }[];
}

/** Options of `subscribe()`: core's options plus the Iggy ones (topics, retry, DLQ, start). */
export type IggyTransportSubscribeOptions<TPayload = unknown> = SubscribeOptions<TPayload> &
  Omit<IggySubscribeOptions, 'handler'>;

/** Options of `lag()`. */
export interface LagOptions {
  /** Topics to report (default: every configured topic where the group exists). */
  topics?: readonly string[];
}

/** Options of `resetOffsets()`. */
export interface ResetOffsetsOptions {
  /** Topics to reset (default: every configured topic where the group exists). */
  topics?: readonly string[];
}

/** Re-throws a per-envelope error of a batch with the envelope's index (same class and code). */
function withBatchIndex(error: unknown, index: number): unknown {
  if (!isRustokError(error)) return error;
  const Kind = error instanceof SerializationError ? SerializationError : ValidationError;
  return new Kind(`envelope ${index} of the batch: ${error.message}`, {
    code: error.code,
    cause: error,
    details: { ...error.details, index },
  });
}

interface Prepared {
  topic: string;
  partition: number;
  item: QueuedMessage;
}

interface Internals {
  options: ResolvedIggyTransportOptions;
  connector: IggyConnector;
  ownsConnector: boolean;
  topology: TopologyReport;
  codec: MessageCodec;
}

/**
 * Publishes and consumes domain events on Apache Iggy (reliability `streaming`): routes each
 * event to a topic, places it on the tenant's partition (xxHash32 of the tenant id), encodes it
 * (JSON or Avro) and appends it with per-partition batching; consumes through consumer groups
 * with retries and a DLQ; replays history without touching any group.
 */
export class IggyTransport implements EventTransport, EventSubscriber, AsyncDisposable {
  readonly reliability: ReliabilityLevel = 'streaming';
  /** The dead-letter queue: `list`, `show`, `redrive`, `summary`. */
  readonly dlq: DeadLetterQueue;
  readonly #options: ResolvedIggyTransportOptions;
  readonly #connector: IggyConnector;
  readonly #ownsConnector: boolean;
  readonly #topology: TopologyReport;
  readonly #codec: MessageCodec;
  readonly #router: Router;
  readonly #publisher: Publisher;
  readonly #registry: EventRegistry | undefined;
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  readonly #deps: ConsumerDeps;
  readonly #subscriptions = new Set<IggySubscription>();
  readonly #tenantHashes = new TenantHashCache();
  readonly #streams = new Set<DeliveryStream>();
  #lastError: LastError | undefined;
  #closing: Promise<void> | undefined;

  /**
   * Opens a transport. With no arguments: an embedded connector with its data under
   * `./.rustok/iggy`, stream `rustok`, topics `domain`/`system`/`dlq` with 8 partitions each.
   * Ensures the topology (`TOPOLOGY_MISMATCH` when an existing topic's partition count differs).
   */
  static async create(options: IggyTransportOptions = {}): Promise<IggyTransport> {
    const resolved = parseTransportOptions(options);
    const logger = resolved.logger ?? noopLogger;
    const metrics = resolved.metrics ?? noopMetrics;
    const topics = resolveTopics(resolved.topics);
    const router = new Router(routeRules(resolved), resolved.defaultTopic);
    for (const topic of [...router.staticTopics(), resolved.dlqTopic]) {
      if (!(topic in topics)) {
        throw new ValidationError(`topic ${topic} is routed to but not configured in topics`, {
          details: { field: 'topics', topic },
        });
      }
    }
    const registry = resolved.registry;
    const codec = new MessageCodec({
      codec: resolved.codec,
      validate: (value) => IggyTransport.#validateDecoded(value, registry),
      ...(registry ? { lookupSchema: (type: string, version: number) => registry.get(type, version)?.avro } : {}),
    });
    const given = resolved.connector;
    const ownsConnector = !isConnector(given);
    const connector = isConnector(given) ? given : createConnector(given ?? {}, { logger, metrics });
    try {
      await connector.connect();
      const topology = await ensureTopology(connector, resolved.stream, topics, {
        useExistingPartitionCount: resolved.useExistingPartitionCount,
      });
      if (topology.mismatches.length > 0) {
        logger.warn('using existing partition counts that differ from the configuration', {
          mismatches: topology.mismatches,
        });
      }
      return new IggyTransport({ options: resolved, connector, ownsConnector, topology, codec });
    } catch (error) {
      if (ownsConnector) await connector.close().catch(() => undefined);
      throw error;
    }
  }

  /** Decoded messages: validated against the registry when it knows the type, then upcast. */
  static #validateDecoded(value: unknown, registry: EventRegistry | undefined): EventEnvelope {
    const type = (value as { type?: unknown } | null)?.type;
    if (registry && typeof type === 'string' && registry.has(type)) {
      return registry.upcast(validateEnvelope(value, { registry }));
    }
    return validateEnvelope(value);
  }

  private constructor(internals: Internals) {
    const { options, connector } = internals;
    this.#options = options;
    this.#connector = connector;
    this.#ownsConnector = internals.ownsConnector;
    this.#topology = internals.topology;
    this.#codec = internals.codec;
    this.#registry = options.registry;
    this.#logger = options.logger ?? noopLogger;
    this.#metrics = options.metrics ?? noopMetrics;
    this.#router = new Router(routeRules(options), options.defaultTopic);
    this.#publisher = new Publisher({
      connector,
      stream: options.stream,
      maxMessages: options.batching.maxMessages,
      maxBytes: options.batching.maxBytes,
      maxQueuedMessages: options.batching.maxQueuedMessages,
      maxQueuedBytes: options.batching.maxQueuedBytes,
      onQueueFull: options.batching.onQueueFull,
      logger: this.#logger,
      metrics: this.#metrics,
      onError: (error) => this.#recordError(error),
    });
    const deadLetter = createDeadLetterWriter({
      publisher: this.#publisher,
      topic: options.dlqTopic,
      partitions: this.#partitionCount(options.dlqTopic)!,
      maxErrorMessageBytes: options.dlqMaxErrorMessageBytes,
      logger: this.#logger,
      metrics: this.#metrics,
    });
    this.#deps = {
      connector,
      stream: options.stream,
      decode: (message: PolledMessage) => this.#codec.decode(message),
      deadLetter,
      logger: this.#logger,
      metrics: this.#metrics,
    };
    this.dlq = new DeadLetterQueue({
      connector,
      stream: options.stream,
      topic: options.dlqTopic,
      publisher: this.#publisher,
      partitionsOf: (topic) => this.#partitionsOf(topic),
      logger: this.#logger,
      metrics: this.#metrics,
    });
  }

  /** The stream this transport uses. */
  get stream(): string {
    return this.#options.stream;
  }

  /** The connector underneath (for tools; publishing through it bypasses validation). */
  get connector(): IggyConnector {
    return this.#connector;
  }

  /** Topics and their partition counts in use. */
  get topics(): Readonly<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [name, t] of Object.entries(this.#topology.topics)) out[name] = t.partitions;
    return out;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** The topic an event type is routed to. */
  topicFor(eventType: string): string {
    return this.#router.route(eventType);
  }

  /** Validates, routes, partitions by tenant and appends one event; resolves once it is in the log. */
  publish(envelope: EventEnvelope): Promise<PublishReceipt> {
    try {
      this.#assertOpen();
      const prepared = this.#prepare(envelope);
      return this.#publisher.publish(prepared.topic, prepared.partition, prepared.item);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Validates and encodes every envelope first (none is published if one is invalid), then sends
   * them grouped by topic partition, in order, with as few requests as possible. An I/O failure
   * midway throws `PARTIAL_PUBLISH` listing the published ids. Receipts follow input order.
   */
  async publishBatch(envelopes: readonly EventEnvelope[]): Promise<PublishReceipt[]> {
    return this.#publishAll(envelopes, 'envelopes', (envelope) => this.#prepare(envelope));
  }

  /**
   * `publishBatch` for events validated and serialized earlier (an outbox relay uses it): they
   * are not validated again, and with the JSON codec each event's JSON is sent as it is (with
   * Avro it is parsed and encoded). A consumer still validates what it reads: an event that was
   * not a valid envelope after all ends in the DLQ as undecodable.
   */
  async publishSerialized(events: readonly SerializedEvent[]): Promise<PublishReceipt[]> {
    return this.#publishAll(events, 'events', (event) => this.#prepareSerialized(event));
  }

  /** Prepares every item first (none is sent if one fails, its error naming its index), then sends. */
  async #publishAll<T>(items: readonly T[], field: string, prepare: (item: T) => Prepared): Promise<PublishReceipt[]> {
    this.#assertOpen();
    if (!Array.isArray(items)) {
      throw new ValidationError(`a batch publish needs an array of ${field}`, { details: { field } });
    }
    const prepared = items.map((item, index) => {
      try {
        return prepare(item);
      } catch (error) {
        throw withBatchIndex(error, index);
      }
    });
    return this.#publishPrepared(prepared);
  }

  /** Sends prepared events grouped by topic partition, in order; receipts follow input order. */
  async #publishPrepared(prepared: readonly Prepared[]): Promise<PublishReceipt[]> {
    if (prepared.length === 0) return [];
    // Groups by topic, then by partition number (no per-event key strings), in first-seen order.
    type Group = PartitionBatch & { items: QueuedMessage[]; indexes: number[] };
    const byTopic = new Map<string, (Group | undefined)[]>();
    const ordered: Group[] = [];
    prepared.forEach((p, index) => {
      let slots = byTopic.get(p.topic);
      if (slots === undefined) {
        slots = [];
        byTopic.set(p.topic, slots);
      }
      let group = slots[p.partition];
      if (group === undefined) {
        group = { topic: p.topic, partition: p.partition, items: [], indexes: [] };
        slots[p.partition] = group;
        ordered.push(group);
      }
      group.items.push(p.item);
      group.indexes.push(index);
    });
    const receipts = await this.#publisher.publishGroups(ordered);
    const out: PublishReceipt[] = new Array(prepared.length);
    let i = 0;
    for (const group of ordered) for (const index of group.indexes) out[index] = receipts[i++]!;
    return out;
  }

  /**
   * Starts one member of consumer group `group` (created if missing) on `options.topics`
   * (default `['domain']`): at-least-once, strict order per tenant, retries, DLQ.
   */
  async subscribe<TPayload = unknown>(
    group: string,
    options: IggyTransportSubscribeOptions<TPayload>,
  ): Promise<IggySubscription> {
    this.#assertOpen();
    const consumer: GroupConsumer = await startGroupConsumer(
      this.#deps,
      group,
      options as unknown as IggySubscribeOptions,
    );
    let closing: Promise<void> | undefined;
    const subscription: IggySubscription = {
      group: consumer.group,
      topics: consumer.topics,
      assignment: () => consumer.assignment(),
      close: () => {
        closing ??= consumer.close().finally(() => {
          this.#subscriptions.delete(subscription);
        });
        return closing;
      },
      [Symbol.asyncDispose]: () => subscription.close(),
    };
    this.#subscriptions.add(subscription);
    if (this.closed) await subscription.close();
    return subscription;
  }

  /**
   * Consumes `group` as an async iterator of deliveries to `ack()`, `retry(delayMs)` or
   * `deadLetter(reason)`; breaking out of the loop closes the member.
   */
  consume(group: string, options: IggyConsumeOptions = {}): DeliveryStream {
    this.#assertOpen();
    const stream = consumeGroup(this.#deps, group, options);
    const untrack = () => {
      this.#streams.delete(stream);
    };
    const close = stream.close;
    const finish = stream.return?.bind(stream);
    stream.close = () => close().finally(untrack);
    stream[Symbol.asyncDispose] = stream.close;
    if (finish) stream.return = () => finish().finally(untrack);
    this.#streams.add(stream);
    return stream;
  }

  /** Lag of `group` per topic and partition; `NOT_FOUND` when the group does not exist. */
  async lag(group: string, options: LagOptions = {}): Promise<GroupLag> {
    this.#assertOpen();
    return computeLag(this.#connector, this.stream, options.topics ?? Object.keys(this.topics), group);
  }

  /**
   * Moves `group`'s committed offsets (earliest, latest, or a broker time in µs) while no member
   * is active (`CONFLICT` otherwise). Without `topics`, every topic where the group exists.
   */
  async resetOffsets(
    group: string,
    to: ResetTarget,
    options: ResetOffsetsOptions = {},
  ): Promise<ResetResult[]> {
    this.#assertOpen();
    let topics = options.topics;
    if (topics === undefined) {
      const existing: string[] = [];
      for (const topic of Object.keys(this.topics)) {
        if ((await this.#connector.getGroup(this.stream, topic, group)) !== null) existing.push(topic);
      }
      if (existing.length === 0) {
        throw new NotFoundError(`consumer group ${group} does not exist; pass topics to create it`, {
          details: { group },
        });
      }
      topics = existing;
    }
    return resetGroupOffsets(this.#connector, this.stream, topics, group, to);
  }

  /**
   * Reads a topic from `from` (offset, broker timestamp in µs, or `'earliest'`) up to `to`
   * (default: the end when the replay starts) and yields decoded events with their positions,
   * partition by partition in offset order, without touching any group's offsets.
   */
  replay(options: ReplayOptions): AsyncIterable<ReplayedEvent> {
    this.#assertOpen();
    return replay(
      { connector: this.#connector, stream: this.stream, decode: this.#deps.decode, logger: this.#logger },
      options,
    );
  }

  /** Health: mode, connection, server version, topology, last error and lag of live groups. */
  async health(): Promise<TransportHealth> {
    return computeHealth({
      connector: this.#connector,
      closed: this.closed,
      topology: this.#topology,
      lastError: this.#lastError,
      groupLags: () => this.#liveGroupLags(),
    });
  }

  /**
   * Closes live subscriptions and iterators (draining in-flight work), flushes queued publishes,
   * then closes the connector if the transport created it. Later calls fail with `CLOSED`.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutdown(): Promise<void> {
    const closing = [
      ...[...this.#subscriptions].map((s) => s.close()),
      ...[...this.#streams].map((s) => s.close()),
    ];
    const results = await Promise.allSettled(closing);
    await this.#publisher.close();
    if (this.#ownsConnector) await this.#connector.close();
    for (const result of results) {
      if (result.status === 'rejected') {
        this.#logger.warn('a subscription failed to close cleanly', { error: String(result.reason) });
      }
    }
  }

  #assertOpen(): void {
    if (this.closed) throw new ClosedError('the transport is closed');
  }

  #prepareSerialized(event: SerializedEvent): Prepared {
    if (
      typeof event !== 'object' ||
      event === null ||
      typeof event.json !== 'string' ||
      typeof event.id !== 'string' ||
      typeof event.type !== 'string' ||
      typeof event.tenantId !== 'string' ||
      !Number.isInteger(event.schemaVersion)
    ) {
      throw new ValidationError('a serialized event needs id, type, tenantId (strings), schemaVersion and json', {
        details: { field: 'events' },
      });
    }
    if (!this.#codec.writesJson) return this.#prepare(parseSerialized(event));
    const topic = this.#topicOf(event.type);
    const encoded = this.#codec.encodeSerialized(event);
    return {
      topic,
      partition: this.#tenantHashes.partition(event.tenantId, this.#partitionCount(topic)!),
      item: { eventId: event.id, message: encoded.message, bytes: encoded.bytes },
    };
  }

  /** The topic `eventType` routes to; `VALIDATION` when that topic is not configured. */
  #topicOf(eventType: string): string {
    const topic = this.#router.route(eventType);
    if (this.#partitionCount(topic) === undefined) {
      throw new ValidationError(`event type ${eventType} routes to unconfigured topic ${topic}`, {
        details: { field: 'routes', topic },
      });
    }
    return topic;
  }

  #prepare(envelope: EventEnvelope): Prepared {
    let valid: EventEnvelope;
    try {
      valid = validateEnvelope(envelope, { registry: this.#registry });
    } catch (error) {
      this.#metrics.increment('rustok.iggy.publish.invalid', 1, {
        code: isRustokError(error) ? error.code : 'VALIDATION',
      });
      throw error;
    }
    const topic = this.#topicOf(valid.type);
    const partitions = this.#partitionCount(topic)!;
    const payloadSchema = this.#codec.usesPayloadSchema
      ? this.#registry?.get(valid.type, valid.schemaVersion)?.avro
      : undefined;
    const encoded = this.#codec.encode(valid, payloadSchema);
    return {
      topic,
      partition: this.#tenantHashes.partition(valid.tenantId, partitions),
      item: { eventId: valid.id, message: encoded.message, bytes: encoded.bytes },
    };
  }

  #partitionCount(topic: string): number | undefined {
    return this.#topology.topics[topic]?.partitions;
  }

  async #partitionsOf(topic: string): Promise<number> {
    const known = this.#partitionCount(topic);
    if (known !== undefined) return known;
    const info = await this.#connector.getTopic(this.stream, topic);
    if (!info) throw new NotFoundError(`topic ${this.stream}/${topic} does not exist`, { details: { topic } });
    return info.partitions;
  }

  #recordError(error: RustokError): void {
    this.#lastError = { code: error.code, message: error.message, at: new Date() };
  }

  async #liveGroupLags(): Promise<Record<string, GroupLagSummary | { error: string }>> {
    const topicsByGroup = new Map<string, Set<string>>();
    for (const sub of this.#subscriptions) {
      const set = topicsByGroup.get(sub.group) ?? new Set<string>();
      for (const topic of sub.topics) set.add(topic);
      topicsByGroup.set(sub.group, set);
    }
    const out: Record<string, GroupLagSummary | { error: string }> = {};
    for (const [group, topics] of topicsByGroup) {
      try {
        const lag = await computeLag(this.#connector, this.stream, [...topics], group);
        out[group] = {
          total: lag.total.toString(),
          topics: lag.topics.map((t) => ({
            topic: t.topic,
            total: t.total.toString(),
            partitions: t.partitions.map((p) => ({ partition: p.partition, lag: p.lag.toString() })),
          })),
        };
      } catch (error) {
        out[group] = { error: isRustokError(error) ? `${error.code}: ${error.message}` : String(error) };
      }
    }
    return out;
  }
}
