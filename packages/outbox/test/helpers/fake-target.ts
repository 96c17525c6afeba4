import {
  type EventEnvelope,
  type EventTransport,
  PartialPublishError,
  type PublishReceipt,
  type TransportHealth,
  validateEnvelope,
} from '@rustok/core';

/**
 * An ordered in-memory target for relay tests: validates the batch, then accepts events one by
 * one; when `reject(event)` returns an error it stops there — with `PARTIAL_PUBLISH` listing the
 * accepted ids when some were accepted, or that error otherwise.
 */
export class FakeTarget implements EventTransport {
  readonly reliability = 'streaming' as const;
  readonly published: EventEnvelope[] = [];
  readonly batchSizes: number[] = [];
  reject: ((event: EventEnvelope) => Error | undefined) | undefined;
  delayMs = 0;
  inFlight = 0;
  maxInFlight = 0;

  /** Publishes one event. */
  async publish(envelope: EventEnvelope): Promise<PublishReceipt> {
    const [r] = await this.publishBatch([envelope]);
    return r!;
  }

  /** Publishes in order, stopping at the first rejected event. */
  async publishBatch(envelopes: readonly EventEnvelope[]): Promise<PublishReceipt[]> {
    const events = envelopes.map((e) => validateEnvelope(e));
    this.batchSizes.push(events.length);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      const done: string[] = [];
      for (const e of events) {
        const err = this.reject?.(e);
        if (err !== undefined) {
          if (done.length > 0) throw new PartialPublishError(`stopped at ${e.id}: ${err.message}`, done, { cause: err });
          throw err;
        }
        this.published.push(e);
        done.push(e.id);
      }
      return events.map((e) => ({ id: e.id }));
    } finally {
      this.inFlight--;
    }
  }

  /** Always healthy. */
  async health(): Promise<TransportHealth> {
    return { status: 'healthy', reliability: this.reliability, details: {} };
  }

  /** Nothing to release. */
  async close(): Promise<void> {}

  /** What was published, as (tenant, number) pairs. */
  seen(): Array<{ tenantId: string; n: number }> {
    return this.published.map((e) => ({ tenantId: e.tenantId, n: (e.payload as { n: number }).n }));
  }
}
