import { createEvent, type EventEnvelope, type EventTransport } from '@rustok/core';
import { OrderCancelled, OrderCreated, OrderPaid, OrderShipped } from '../events';
import type { DemoPlan, PlannedOrder } from '../plan';

/** What a source got onto the transport: the events in publish order, and how long it took. */
export interface SourceResult {
  /** One line for the report, e.g. "published directly with publishBatch". */
  description: string;
  published: EventEnvelope[];
  ms: number;
}

/**
 * Step 1: where events come from. Today the app publishes straight to the transport; a source
 * that writes orders and their events in SQLite transactions and lets an outbox relay publish
 * them implements this same interface, so the steps after it stay as they are.
 */
export interface EventSource {
  run(plan: DemoPlan, transport: EventTransport): Promise<SourceResult>;
}

/** The lifecycle events of one order, in the order they happen. */
export function orderEvents(order: PlannedOrder): EventEnvelope[] {
  const { tenantId, orderId, currency } = order;
  const events: EventEnvelope[] = [
    createEvent(OrderCreated, {
      tenantId,
      payload: {
        orderId,
        customerId: order.customerId,
        lines: order.lines,
        total: { cents: order.totalCents, currency },
      },
    }),
  ];
  if (order.outcome === 'cancelled') {
    events.push(createEvent(OrderCancelled, { tenantId, payload: { orderId, reason: 'customer request' } }));
    return events;
  }
  events.push(
    createEvent(OrderPaid, {
      tenantId,
      payload: { orderId, amount: { cents: order.totalCents, currency }, method: order.method },
    }),
  );
  if (order.outcome === 'shipped') {
    events.push(
      createEvent(OrderShipped, {
        tenantId,
        payload: { orderId, carrier: order.carrier, trackingId: `${order.carrier.toUpperCase()}${orderId}` },
      }),
    );
  }
  return events;
}

/** All events of the plan, tenants interleaved like live traffic, each tenant's in order. */
export function planEvents(plan: DemoPlan): EventEnvelope[] {
  const perTenant = plan.tenants.map((t) =>
    plan.orders.filter((o) => o.tenantId === t.id).flatMap((o) => orderEvents(o)),
  );
  const out: EventEnvelope[] = [];
  for (let i = 0; perTenant.some((events) => i < events.length); i++) {
    for (const events of perTenant) if (i < events.length) out.push(events[i]!);
  }
  return out;
}

/** A source that publishes the plan's events straight to the transport, `batchSize` at a time. */
export function directSource(batchSize = 50): EventSource {
  return {
    async run(plan, transport) {
      const events = planEvents(plan);
      const start = performance.now();
      for (let i = 0; i < events.length; i += batchSize) {
        await transport.publishBatch(events.slice(i, i + batchSize));
      }
      return {
        description: `published directly with publishBatch (${batchSize} per call)`,
        published: events,
        ms: performance.now() - start,
      };
    },
  };
}
