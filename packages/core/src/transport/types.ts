import type { EventEnvelope } from '../envelope/types';

/** How durable an accepted publish is: process memory, a database outbox, or a streaming log. */
export type ReliabilityLevel = 'in-memory' | 'outbox' | 'streaming';

/** The three health states every transport reports. */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

/** A transport's health with free-form, JSON-friendly details. */
export interface TransportHealth {
  status: HealthStatus;
  reliability: ReliabilityLevel;
  details: Record<string, unknown>;
}

/** Where an accepted event landed, as far as the transport knows. */
export interface PublishReceipt {
  id: string;
  topic?: string;
  partition?: number;
  offset?: bigint;
}

/**
 * An event validated and serialized earlier (e.g. a row read back from an outbox): the fields a
 * transport routes and partitions by, and the envelope as JSON text.
 */
export interface SerializedEvent {
  id: string;
  type: string;
  schemaVersion: number;
  tenantId: string;
  /** The validated envelope as JSON (`JSON.stringify` of it, or JSON of the same value). */
  json: string;
}

/**
 * Publishes event envelopes. A publish resolves only once the event is accepted at the
 * transport's level (written to the log, the outbox row inserted, …).
 */
export interface EventTransport {
  readonly reliability: ReliabilityLevel;
  /** Validates and publishes one envelope. */
  publish(envelope: EventEnvelope): Promise<PublishReceipt>;
  /**
   * Validates every envelope before sending any, then publishes them; an I/O failure midway
   * throws `PARTIAL_PUBLISH` listing the ids that were published.
   */
  publishBatch(envelopes: readonly EventEnvelope[]): Promise<PublishReceipt[]>;
  /**
   * Optional fast path for events validated earlier (e.g. by an outbox): `publishBatch` without
   * validating again, a transport that writes JSON sending each `json` as it is. The caller
   * vouches that every event is a valid envelope; the same batch semantics apply.
   */
  publishSerialized?(events: readonly SerializedEvent[]): Promise<PublishReceipt[]>;
  /** Reports current health. */
  health(): Promise<TransportHealth>;
  /** Flushes pending work and releases resources; later publishes fail with `CLOSED`. */
  close(): Promise<void>;
}

/** Per-delivery context given to handlers. Delivery is at-least-once: handlers must be idempotent. */
export interface HandlerContext {
  /** 1 on the first attempt, incremented on each retry. */
  attempt: number;
  /** True when this event may have been delivered before (a retry or a redelivery after restart). */
  redelivered: boolean;
  /**
   * Aborted when the attempt's time budget runs out; a transport may also abort it when the
   * subscription closes without waiting for handlers (MemoryTransport always waits).
   */
  signal: AbortSignal;
  /** The consumer group. */
  group: string;
  /** W3C `traceparent` from the envelope headers, when present. */
  traceparent?: string;
  /** Position in the log, when the transport has one. */
  topic?: string;
  partition?: number;
  offset?: bigint;
}

/** A handler for one event. Throwing (or rejecting) counts as a failed attempt. */
export type EventHandler<TPayload = unknown> = (
  event: EventEnvelope<TPayload>,
  ctx: HandlerContext,
) => Promise<void> | void;

/** Retry policy for failed handler attempts. */
export interface RetryOptions {
  /** Total attempts including the first. */
  maxAttempts?: number;
  backoff?: 'fixed' | 'exponential' | 'exponential-jitter';
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/** Options common to every subscriber; transports extend them. */
export interface SubscribeOptions<TPayload = unknown> {
  handler: EventHandler<TPayload>;
  /** Only deliver these event types (others are acknowledged and skipped). */
  types?: readonly string[];
  concurrency?: number;
  retry?: RetryOptions;
  handlerTimeoutMs?: number;
}

/** A live subscription. `close()` drains in-flight work and then stops. */
export interface Subscription {
  readonly group: string;
  close(): Promise<void>;
}

/** Something events can be consumed from, by named group. */
export interface EventSubscriber {
  /** Starts consuming for `group`; resolves once the subscription is live. */
  subscribe<TPayload = unknown>(
    group: string,
    options: SubscribeOptions<TPayload>,
  ): Promise<Subscription>;
}
