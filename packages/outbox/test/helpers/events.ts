import { createEvent, defineEvent, type EventEnvelope } from '@rustok/core';
import { z } from 'zod';

/** The event type used across the outbox tests. */
export const OrderCreated = defineEvent({
  type: 'order.created',
  version: 1,
  payload: z.object({ n: z.number().int(), note: z.string().optional() }),
});

/** A valid `order.created` envelope for `tenantId` carrying the sequence number `n`. */
export function orderEvent(tenantId: string, n: number, note?: string): EventEnvelope<{ n: number; note?: string }> {
  return createEvent(OrderCreated, { tenantId, payload: note === undefined ? { n } : { n, note } });
}

/** `count` events spread round-robin over `tenants` tenants (`t0`, `t1`, …), numbered per tenant. */
export function tenantEvents(count: number, tenants: number, prefix = 't'): EventEnvelope<{ n: number }>[] {
  const next = new Map<string, number>();
  return Array.from({ length: count }, (_, i) => {
    const tenant = `${prefix}${i % tenants}`;
    const n = next.get(tenant) ?? 0;
    next.set(tenant, n + 1);
    return orderEvent(tenant, n);
  });
}

/** What a consumer saw of one event. */
export interface Seen {
  tenantId: string;
  n: number;
}

/** Exactly-once, in-order check: per tenant the numbers must be 0, 1, 2, … with no repeat. */
export function strictOrderViolations(seen: readonly Seen[]): string[] {
  const next = new Map<string, number>();
  const problems: string[] = [];
  for (const { tenantId, n } of seen) {
    const want = next.get(tenantId) ?? 0;
    if (n !== want) problems.push(`${tenantId}: got ${n}, expected ${want}`);
    next.set(tenantId, Math.max(want, n + 1));
  }
  return problems;
}

/**
 * At-least-once, in-order check: per tenant each number is at most one above the previous one
 * (a replay may jump back, never skip ahead) and the first is 0. Duplicates are fine; a
 * reordering or a loss shows up as a skip.
 */
export function atLeastOnceViolations(seen: readonly Seen[]): string[] {
  const last = new Map<string, number>();
  const problems: string[] = [];
  for (const { tenantId, n } of seen) {
    const prev = last.get(tenantId) ?? -1;
    if (n > prev + 1) problems.push(`${tenantId}: ${n} right after ${prev}`);
    last.set(tenantId, n);
  }
  return problems;
}

/** Per tenant, how many distinct numbers were seen. */
export function distinctPerTenant(seen: readonly Seen[]): Map<string, number> {
  const sets = new Map<string, Set<number>>();
  for (const { tenantId, n } of seen) {
    let set = sets.get(tenantId);
    if (set === undefined) {
      set = new Set();
      sets.set(tenantId, set);
    }
    set.add(n);
  }
  return new Map([...sets].map(([t, s]) => [t, s.size]));
}
