import type { EventEnvelope } from '@rustok/core';
import type { IggySubscription, IggyTransport } from '@rustok/iggy';
import { OrderPaid } from '../events';
import type { DemoPlan } from '../plan';
import { waitFor } from './wait';

/** The consumer group's workers and what they observed. */
export interface WorkerPool {
  group: string;
  /** Event ids per tenant, in the order they were handled (first delivery of each). */
  handledByTenant: Map<string, string[]>;
  /** Events handled per worker. */
  perWorker: number[];
  /** Deliveries of an event that was already handled (delivery is at-least-once). */
  duplicates: number;
  /** Handler attempts that failed (before the fix). */
  failedAttempts: number;
  /** Distinct events handled so far. */
  handled(): number;
  /** Partitions of the `domain` topic each worker owns. */
  assignments(): number[][];
  /** "Deploys the fix": payments of the broken tenant succeed from now on. */
  fix(): void;
  close(): Promise<void>;
}

/**
 * Step 2: consumer group `group` with `count` workers (one subscription each) sharing the 8
 * partitions of `domain`. The payment handler fails for the plan's broken tenant until `fix()`:
 * after 3 quick attempts (ms backoff) the event goes to the DLQ and the tenant is parked, so its
 * later events follow it there in order instead of overtaking it.
 */
export async function startWorkers(
  transport: IggyTransport,
  plan: DemoPlan,
  options: { group: string; count: number },
): Promise<WorkerPool> {
  const seen = new Set<string>();
  let fixed = false;
  const pool: WorkerPool = {
    group: options.group,
    handledByTenant: new Map(plan.tenants.map((t) => [t.id, []])),
    perWorker: Array.from({ length: options.count }, () => 0),
    duplicates: 0,
    failedAttempts: 0,
    handled: () => seen.size,
    assignments: () => subscriptions.map((s) => s.assignment().flatMap((a) => a.partitions)),
    fix: () => {
      fixed = true;
    },
    close: async () => {
      await Promise.all(subscriptions.map((s) => s.close()));
    },
  };
  const handlerOf = (worker: number) => async (event: EventEnvelope) => {
    if (seen.has(event.id)) {
      pool.duplicates += 1; // idempotent: a redelivered event changes nothing
      return;
    }
    if (!fixed && event.tenantId === plan.brokenTenant && event.type === OrderPaid.type) {
      pool.failedAttempts += 1;
      throw new Error(`payment provider is not configured for tenant ${event.tenantId}`);
    }
    seen.add(event.id);
    pool.handledByTenant.get(event.tenantId)?.push(event.id);
    pool.perWorker[worker]! += 1;
  };
  const subscriptions: IggySubscription[] = [];
  for (let worker = 0; worker < options.count; worker++) {
    subscriptions.push(
      await transport.subscribe(options.group, {
        topics: ['domain'],
        handler: handlerOf(worker),
        concurrency: 16,
        retry: { maxAttempts: 3, backoff: 'exponential', initialDelayMs: 2, maxDelayMs: 20 },
        onDeadLetter: 'park-tenant',
        commitIntervalMs: 50,
      }),
    );
  }
  // Publish only once the partitions are spread evenly, so none moves mid-run (a parked tenant
  // is remembered by the worker that owns its partition).
  const partitions = transport.topics.domain ?? 0;
  await waitFor(() => {
    const sizes = pool.assignments().map((p) => p.length);
    const total = sizes.reduce((a, b) => a + b, 0);
    return total === partitions && Math.max(...sizes) - Math.min(...sizes) <= 1;
  }, 'the workers to share the partitions');
  return pool;
}
