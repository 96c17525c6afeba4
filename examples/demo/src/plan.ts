/**
 * The business scenario: which tenants place which orders. Deterministic (seeded), so every run
 * tells the same story; the source step turns it into events.
 */

/** One tenant of the platform and the currency it sells in. */
export interface Tenant {
  id: string;
  currency: 'EUR' | 'USD' | 'GBP';
}

/** What happens to one order, in this order: created, then paid and shipped, or cancelled. */
export interface PlannedOrder {
  tenantId: string;
  orderId: string;
  customerId: string;
  lines: { sku: string; quantity: number; unitCents: number }[];
  totalCents: number;
  currency: Tenant['currency'];
  outcome: 'shipped' | 'paid' | 'cancelled';
  method: 'card' | 'invoice' | 'wallet';
  carrier: string;
}

/** The whole scenario. */
export interface DemoPlan {
  tenants: Tenant[];
  /** The tenant whose payments fail until the "fix" (its events end in the DLQ first). */
  brokenTenant: string;
  orders: PlannedOrder[];
  /** Orders the fraud check rejects: their transaction rolls back, so their events never exist. */
  rejected: PlannedOrder[];
}

const TENANTS: Tenant[] = [
  { id: 'acme', currency: 'EUR' },
  { id: 'globex', currency: 'USD' },
  { id: 'initech', currency: 'EUR' },
  { id: 'umbrella', currency: 'GBP' },
  { id: 'hooli', currency: 'USD' },
];
const SKUS = ['desk', 'chair', 'lamp', 'monitor', 'keyboard', 'mug'];
const METHODS = ['card', 'invoice', 'wallet'] as const;
const CARRIERS = ['dhl', 'ups', 'postnl'];

/** mulberry32: a tiny seeded random source. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Builds the scenario: `ordersPerTenant` orders for each of five tenants, plus one order of each
 * of the first `rejectedCount` tenants that the fraud check will reject.
 */
export function buildPlan(ordersPerTenant: number, rejectedCount = 3, seed = 42): DemoPlan {
  const random = seeded(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const order = (tenant: Tenant, orderId: string): PlannedOrder => {
    const lines = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
      sku: pick(SKUS),
      quantity: 1 + Math.floor(random() * 4),
      unitCents: 500 + Math.floor(random() * 30_000),
    }));
    const roll = random();
    return {
      tenantId: tenant.id,
      orderId,
      customerId: `cust-${1 + Math.floor(random() * 200)}`,
      lines,
      totalCents: lines.reduce((sum, l) => sum + l.quantity * l.unitCents, 0),
      currency: tenant.currency,
      outcome: roll < 0.1 ? 'cancelled' : roll < 0.25 ? 'paid' : 'shipped',
      method: pick(METHODS),
      carrier: pick(CARRIERS),
    };
  };
  const prefix = (tenant: Tenant) => tenant.id.slice(0, 3).toUpperCase();
  const orders = TENANTS.flatMap((tenant) =>
    Array.from({ length: ordersPerTenant }, (_, i) => order(tenant, `${prefix(tenant)}-${String(i + 1).padStart(4, '0')}`)),
  );
  const rejected = TENANTS.slice(0, rejectedCount).map((tenant) => order(tenant, `${prefix(tenant)}-R001`));
  return { tenants: TENANTS, brokenTenant: 'umbrella', orders, rejected };
}

/** Revenue per tenant the plan implies: the sum of its paid orders, in cents. */
export function plannedRevenue(plan: DemoPlan): Map<string, number> {
  const revenue = new Map(plan.tenants.map((t) => [t.id, 0]));
  for (const order of plan.orders) {
    if (order.outcome !== 'cancelled') revenue.set(order.tenantId, revenue.get(order.tenantId)! + order.totalCents);
  }
  return revenue;
}
