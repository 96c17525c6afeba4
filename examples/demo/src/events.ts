/**
 * The demo's domain events: typed definitions with zod payload schemas, held in a registry so
 * the transport validates every publish and every consumed event against them.
 */
import { defineEvent, EventRegistry } from '@rustok/core';
import { z } from 'zod';

const Money = z.object({ cents: z.number().int().nonnegative(), currency: z.enum(['EUR', 'USD', 'GBP']) });

/** A customer placed an order. */
export const OrderCreated = defineEvent({
  type: 'order.created',
  version: 1,
  payload: z.object({
    orderId: z.string(),
    customerId: z.string(),
    lines: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive(), unitCents: z.number().int() })).min(1),
    total: Money,
  }),
});

/** The order was paid. */
export const OrderPaid = defineEvent({
  type: 'order.paid',
  version: 1,
  payload: z.object({ orderId: z.string(), amount: Money, method: z.enum(['card', 'invoice', 'wallet']) }),
});

/** The order left the warehouse. */
export const OrderShipped = defineEvent({
  type: 'order.shipped',
  version: 1,
  payload: z.object({ orderId: z.string(), carrier: z.string(), trackingId: z.string() }),
});

/** The customer cancelled before paying. */
export const OrderCancelled = defineEvent({
  type: 'order.cancelled',
  version: 1,
  payload: z.object({ orderId: z.string(), reason: z.string() }),
});

/** Every event type of the demo. */
export const registry = new EventRegistry()
  .register(OrderCreated)
  .register(OrderPaid)
  .register(OrderShipped)
  .register(OrderCancelled);

/** Payload of `order.paid`. */
export type OrderPaidPayload = z.infer<typeof OrderPaid.payload>;
