import type { IggyTransport, RedriveReport } from '@rustok/iggy';
import type { WorkerPool } from './workers';

/** What the DLQ held after the first pass. */
export interface DeadLetterSnapshot {
  total: number;
  byErrorCode: Record<string, number>;
  tenants: string[];
}

/** Step 3: what went to the DLQ (read from headers; payloads are not decoded). */
export async function inspectDeadLetters(transport: IggyTransport): Promise<DeadLetterSnapshot> {
  const [summary, entries] = await Promise.all([transport.dlq.summary(), transport.dlq.list()]);
  return {
    total: summary.total,
    byErrorCode: summary.byErrorCode,
    tenants: [...new Set(entries.map((e) => e.tenantId ?? '?'))],
  };
}

/**
 * Step 4: deploy the fix, then redrive the tenant's dead letters. They are republished in DLQ
 * order, so the first one unparks the tenant and the rest follow in their original order.
 */
export async function fixAndRedrive(
  transport: IggyTransport,
  workers: WorkerPool,
  tenantId: string,
): Promise<RedriveReport> {
  workers.fix();
  return transport.dlq.redrive({ tenantId });
}
