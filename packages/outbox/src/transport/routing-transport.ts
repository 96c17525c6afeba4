import {
  ClosedError,
  type EventEnvelope,
  type EventRegistry,
  type EventTransport,
  type HealthStatus,
  PartialPublishError,
  type PublishReceipt,
  type ReliabilityLevel,
  type TransportHealth,
  validateEnvelope,
} from '@rustok/core';
import { z } from 'zod';
import { parseOptions, registrySchema } from '../options';
import type { TransactionalPublishOptions } from './outbox-transport';

/** Which way an event goes: into the outbox (atomic with the DB transaction) or straight to the stream. */
export type Route = 'outbox' | 'stream';

const transportSchema = (name: string) =>
  z.custom<EventTransport>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      typeof (v as { publish?: unknown }).publish === 'function' &&
      typeof (v as { publishBatch?: unknown }).publishBatch === 'function',
    `${name} must be an EventTransport`,
  );

/** Options of `new RoutingTransport(options)`. */
export const RoutingTransportOptionsSchema = z.object({
  /** Usually an `OutboxTransport`. */
  outbox: transportSchema('outbox'),
  /** Usually an `IggyTransport`. */
  stream: transportSchema('stream'),
  /** Event types (names or definitions) that go through the outbox. */
  outboxTypes: z
    .array(
      z.union([
        z.string().min(1),
        z.custom<{ readonly type: string }>(
          (v) => typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string',
          'an event definition',
        ),
      ]),
    )
    .default([]),
  /** Decides per event; wins over `outboxTypes`. Return `undefined` to fall back to them. */
  route: z.custom<(event: EventEnvelope) => Route | undefined>((v) => typeof v === 'function').optional(),
  /** Route of events matched by neither. */
  defaultRoute: z.enum(['outbox', 'stream']).default('stream'),
  /** Validate envelopes against this registry before routing. */
  registry: registrySchema.optional(),
  /** Whether `close()` also closes both route transports. */
  closeRoutes: z.boolean().default(true),
});

/** Options of `new RoutingTransport(options)` (input form). */
export type RoutingTransportOptions = z.input<typeof RoutingTransportOptionsSchema>;

const RANK: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

/**
 * Mixed reliability: sends each event through the outbox or straight to the stream, chosen per
 * event type (definition) or by a routing function. A `{ tx }` option applies to outbox events
 * only; stream events are published immediately and are not part of that transaction.
 * `reliability` reports the stream's level (the guarantee every event gets at least).
 */
export class RoutingTransport implements EventTransport {
  readonly reliability: ReliabilityLevel;
  readonly #outbox: EventTransport;
  readonly #stream: EventTransport;
  readonly #outboxTypes: ReadonlySet<string>;
  readonly #route: ((event: EventEnvelope) => Route | undefined) | undefined;
  readonly #defaultRoute: Route;
  readonly #registry: EventRegistry | undefined;
  readonly #closeRoutes: boolean;
  #closed = false;

  /** Creates a router over two transports. */
  constructor(options: RoutingTransportOptions) {
    const opts = parseOptions(RoutingTransportOptionsSchema, options, 'RoutingTransport options');
    this.#outbox = opts.outbox;
    this.#stream = opts.stream;
    this.#outboxTypes = new Set(opts.outboxTypes.map((t) => (typeof t === 'string' ? t : t.type)));
    this.#route = opts.route;
    this.#defaultRoute = opts.defaultRoute;
    this.#registry = opts.registry;
    this.#closeRoutes = opts.closeRoutes;
    this.reliability = this.#stream.reliability;
  }

  /** The route an event takes. */
  routeOf(event: EventEnvelope): Route {
    const chosen = this.#route?.(event);
    if (chosen === 'outbox' || chosen === 'stream') return chosen;
    return this.#outboxTypes.has(event.type) ? 'outbox' : this.#defaultRoute;
  }

  /** Validates and publishes one event through its route. */
  async publish(envelope: EventEnvelope, options: TransactionalPublishOptions = {}): Promise<PublishReceipt> {
    const [receipt] = await this.publishBatch([envelope], options);
    return receipt!;
  }

  /**
   * Validates every envelope, then publishes the outbox share (atomically) and then the stream
   * share. If the stream share fails after the outbox share was written, throws `PARTIAL_PUBLISH`
   * listing the ids that were accepted.
   */
  async publishBatch(
    envelopes: readonly EventEnvelope[],
    options: TransactionalPublishOptions = {},
  ): Promise<PublishReceipt[]> {
    if (this.#closed) throw new ClosedError('RoutingTransport is closed');
    const events = envelopes.map((e) => validateEnvelope(e, { registry: this.#registry }));
    const toOutbox = events.filter((e) => this.routeOf(e) === 'outbox');
    const toStream = events.filter((e) => this.routeOf(e) === 'stream');
    const receipts = new Map<string, PublishReceipt>();
    if (toOutbox.length > 0) {
      const publish = this.#outbox.publishBatch as (
        e: readonly EventEnvelope[],
        o?: TransactionalPublishOptions,
      ) => Promise<PublishReceipt[]>;
      for (const r of await publish.call(this.#outbox, toOutbox, options)) receipts.set(r.id, r);
    }
    if (toStream.length > 0) {
      try {
        for (const r of await this.#stream.publishBatch(toStream)) receipts.set(r.id, r);
      } catch (err) {
        if (receipts.size === 0) throw err;
        const streamed = (err as { publishedIds?: unknown }).publishedIds;
        const ids = [...receipts.keys(), ...(Array.isArray(streamed) ? (streamed as string[]) : [])];
        throw new PartialPublishError(
          `the outbox share of the batch was written but the stream share failed: ${err instanceof Error ? err.message : String(err)}`,
          ids,
          { cause: err },
        );
      }
    }
    return events.map((e) => receipts.get(e.id) ?? { id: e.id });
  }

  /** The worse of both routes' health, with each one's report in `details`. */
  async health(): Promise<TransportHealth> {
    const [outbox, stream] = await Promise.all([this.#outbox.health(), this.#stream.health()]);
    const status = RANK[outbox.status] >= RANK[stream.status] ? outbox.status : stream.status;
    return {
      status: this.#closed ? 'unhealthy' : status,
      reliability: this.reliability,
      details: { closed: this.#closed, outbox, stream },
    };
  }

  /** Rejects later publishes with `CLOSED` and, unless `closeRoutes` is false, closes both routes. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#closeRoutes) await Promise.all([this.#outbox.close(), this.#stream.close()]);
  }
}
