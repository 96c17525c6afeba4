import type { IggyTransport } from '@rustok/iggy';
import { OrderPaid, type OrderPaidPayload } from '../events';

/** A projection rebuilt from the log. */
export interface ReplayResult {
  /** Records read from the topic (redriven events are in the log twice). */
  records: number;
  /** Records skipped because their event id was already applied. */
  duplicates: number;
  /** Paid amount per tenant, in cents. */
  revenue: Map<string, number>;
  /** Every distinct event id found in the log. */
  ids: Set<string>;
  ms: number;
}

/**
 * Step 5: rebuilds "revenue per tenant" from scratch by replaying the `domain` topic. The replay
 * touches no consumer group; applying each event id once makes the projection idempotent.
 */
export async function rebuildRevenue(transport: IggyTransport): Promise<ReplayResult> {
  const start = performance.now();
  const applied = new Set<string>();
  const result: ReplayResult = { records: 0, duplicates: 0, revenue: new Map(), ids: applied, ms: 0 };
  for await (const { event } of transport.replay({ topic: 'domain', from: 'earliest' })) {
    result.records += 1;
    if (applied.has(event.id)) {
      result.duplicates += 1;
      continue;
    }
    applied.add(event.id);
    if (event.type === OrderPaid.type) {
      const { amount } = event.payload as OrderPaidPayload;
      result.revenue.set(event.tenantId, (result.revenue.get(event.tenantId) ?? 0) + amount.cents);
    }
  }
  result.ms = performance.now() - start;
  return result;
}
