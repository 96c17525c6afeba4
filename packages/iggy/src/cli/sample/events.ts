import { createEvent, defineEvent, type EventEnvelope } from '@rustok/core';
import { z } from 'zod';

/** `order.created` of the sample data. */
export const OrderCreated = defineEvent({
  type: 'order.created',
  version: 1,
  payload: z.object({
    orderId: z.string(),
    customerId: z.string(),
    items: z.number().int().positive(),
    totalCents: z.number().int().nonnegative(),
    currency: z.string().length(3),
  }),
});

/** `order.paid` of the sample data. */
export const OrderPaid = defineEvent({
  type: 'order.paid',
  version: 1,
  payload: z.object({
    orderId: z.string(),
    amountCents: z.number().int().nonnegative(),
    currency: z.string().length(3),
    method: z.enum(['card', 'invoice', 'wallet']),
  }),
});

/** `order.shipped` of the sample data. */
export const OrderShipped = defineEvent({
  type: 'order.shipped',
  version: 1,
  payload: z.object({ orderId: z.string(), carrier: z.string(), trackingId: z.string() }),
});

/** `index.order-updated`: a search-index event, routed to the `system` topic. */
export const OrderIndexed = defineEvent({
  type: 'index.order-updated',
  version: 1,
  payload: z.object({ orderId: z.string() }),
});

/** A small deterministic random source (mulberry32), so sample data is reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How one sample order is generated. */
export interface SampleOrderSpec {
  tenantId: string;
  /** Order number within the tenant (1-based), part of the order id. */
  n: number;
  currency: string;
  random: () => number;
  /** Also emit `order.paid` / `order.shipped` (default true). */
  paid?: boolean;
  shipped?: boolean;
}

const METHODS = ['card', 'invoice', 'wallet'] as const;
const CARRIERS = ['dhl', 'ups', 'postnl'] as const;

/** The events of one sample order: created, then paid, then shipped (as asked), plus an index event. */
export function sampleOrder(spec: SampleOrderSpec): EventEnvelope[] {
  const { tenantId, n, currency, random } = spec;
  const orderId = `${tenantId}-${String(n).padStart(4, '0')}`;
  const totalCents = 500 + Math.floor(random() * 20_000);
  const events: EventEnvelope[] = [
    createEvent(OrderCreated, {
      tenantId,
      payload: {
        orderId,
        customerId: `c-${1 + Math.floor(random() * 50)}`,
        items: 1 + Math.floor(random() * 5),
        totalCents,
        currency,
      },
    }),
    createEvent(OrderIndexed, { tenantId, payload: { orderId } }),
  ];
  if (spec.paid ?? true) {
    events.push(
      createEvent(OrderPaid, {
        tenantId,
        payload: { orderId, amountCents: totalCents, currency, method: METHODS[n % METHODS.length]! },
      }),
    );
    if (spec.shipped ?? true) {
      events.push(
        createEvent(OrderShipped, {
          tenantId,
          payload: {
            orderId,
            carrier: CARRIERS[Math.floor(random() * CARRIERS.length)]!,
            trackingId: `T${Math.floor(random() * 1e9)}`,
          },
        }),
      );
    }
  }
  return events;
}
