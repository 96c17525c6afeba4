import {
  ClosedError,
  type EventEnvelope,
  type EventTransport,
  type PublishReceipt,
  type TransportHealth,
} from '@rustok/core';
import { z } from 'zod';
import { parseOptions } from '../options';
import type { OutboxAppender } from '../stores/types';

/** Per-call options of an outbox publish: the caller's transaction, when there is one. */
export interface TransactionalPublishOptions<Tx = unknown> {
  /** Write in this transaction (a better-sqlite3 `Database` inside `db.transaction`, or a `pg` client after `BEGIN`). */
  tx?: Tx;
}

/** Options of `new OutboxTransport(options)`. */
export const OutboxTransportOptionsSchema = z.object({
  /** The outbox to write to (`createSqliteOutbox` / `createPostgresOutbox`). */
  outbox: z.custom<OutboxAppender>(
    (v) => typeof v === 'object' && v !== null && typeof (v as { append?: unknown }).append === 'function',
    'outbox must be an outbox store (createSqliteOutbox or createPostgresOutbox)',
  ),
  /** Health turns `degraded` when the oldest pending row is older than this. */
  lagWarningMs: z.number().int().min(1).default(60_000),
});

/** Options of `new OutboxTransport(options)` (input form). */
export type OutboxTransportOptions<Tx = unknown> = Omit<z.input<typeof OutboxTransportOptionsSchema>, 'outbox'> & {
  outbox: OutboxAppender<Tx>;
};

/**
 * An `EventTransport` with reliability `'outbox'`: publishing inserts outbox rows (validated
 * first, all or nothing), in the caller's transaction when `{ tx }` is given or in one of its
 * own. A relay delivers the rows later. `close()` leaves the outbox store open.
 */
export class OutboxTransport<Tx = unknown> implements EventTransport {
  readonly reliability = 'outbox' as const;
  readonly #outbox: OutboxAppender<Tx>;
  readonly #lagWarningMs: number;
  #closed = false;

  /** Wraps an outbox store. */
  constructor(options: OutboxTransportOptions<Tx>) {
    const opts = parseOptions(OutboxTransportOptionsSchema, options, 'OutboxTransport options');
    this.#outbox = options.outbox;
    this.#lagWarningMs = opts.lagWarningMs;
  }

  /** Inserts one event; resolves once the row is written (committed, unless `tx` is given). */
  async publish(envelope: EventEnvelope, options: TransactionalPublishOptions<Tx> = {}): Promise<PublishReceipt> {
    const [receipt] = await this.publishBatch([envelope], options);
    return receipt!;
  }

  /** Inserts events atomically (one transaction): never a partial publish. */
  async publishBatch(
    envelopes: readonly EventEnvelope[],
    options: TransactionalPublishOptions<Tx> = {},
  ): Promise<PublishReceipt[]> {
    if (this.#closed) throw new ClosedError('OutboxTransport is closed');
    await this.#outbox.append(envelopes, options.tx);
    return envelopes.map((e) => ({ id: e.id }));
  }

  /** `healthy`; `degraded` when rows are `failed` or the oldest pending row is older than `lagWarningMs`; `unhealthy` when the outbox cannot be read or the transport is closed. */
  async health(): Promise<TransportHealth> {
    if (this.#closed) return { status: 'unhealthy', reliability: this.reliability, details: { closed: true } };
    try {
      const stats = await this.#outbox.stats();
      const lagging = (stats.oldestPendingAgeMs ?? 0) > this.#lagWarningMs;
      return {
        status: stats.failed > 0 || lagging ? 'degraded' : 'healthy',
        reliability: this.reliability,
        details: { driver: this.#outbox.driver, ...stats },
      };
    } catch (err) {
      return {
        status: 'unhealthy',
        reliability: this.reliability,
        details: { driver: this.#outbox.driver, error: err instanceof Error ? err.message : String(err) },
      };
    }
  }

  /** Rejects later publishes with `CLOSED`; the outbox store and its database stay open. */
  async close(): Promise<void> {
    this.#closed = true;
  }
}
