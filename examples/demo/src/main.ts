/**
 * A tour of @rustok/core: typed events, a registry with two versions and an upcaster, the
 * in-memory transport with two consumer groups, and typed validation errors.
 * Run from the repository root: `npx -y pnpm@10.34.8 run demo`.
 */
import {
  createEvent,
  defineEvent,
  type EventEnvelope,
  EventRegistry,
  isValidationError,
  MemoryTransport,
  PLATFORM_TENANT,
} from '@rustok/core';
import { z } from 'zod';

// 1. Event definitions. v1 carried a bare amount in cents; v2 adds the currency.
const OrderPlacedV1 = defineEvent({
  type: 'order.placed',
  version: 1,
  payload: z.object({ orderId: z.string(), cents: z.number().int().nonnegative() }),
});
const OrderPlacedV2 = defineEvent({
  type: 'order.placed',
  version: 2,
  payload: z.object({
    orderId: z.string(),
    total: z.object({ cents: z.number().int().nonnegative(), currency: z.string().length(3) }),
  }),
});
type OrderPlaced = z.infer<typeof OrderPlacedV2.payload>;

// A platform-wide event: the only kind allowed to use the nil-UUID "platform tenant".
const MaintenanceScheduled = defineEvent({
  type: 'platform.maintenance-scheduled',
  version: 1,
  platformScope: true,
  payload: z.object({ startsAt: z.string() }),
});

// 2. The registry keeps both versions valid; the upcaster turns v1 payloads into v2.
const registry = new EventRegistry()
  .register(OrderPlacedV1, {
    upcastToNext: (v1) => ({ orderId: v1.orderId, total: { cents: v1.cents, currency: 'EUR' } }),
  })
  .register(OrderPlacedV2)
  .register(MaintenanceScheduled);

// 3. The transport validates every publish against the registry and fans events out to groups.
const bus = new MemoryTransport({ registry, capacity: 100 });

const revenue = new Map<string, number>(); // tenant -> cents
const audit: string[] = [];

await bus.subscribe('billing', {
  types: ['order.placed'],
  handler: (event) => {
    // old producers still send v1: bring every event to the latest version first
    const order = registry.upcast(event) as EventEnvelope<OrderPlaced>;
    revenue.set(event.tenantId, (revenue.get(event.tenantId) ?? 0) + order.payload.total.cents);
  },
});
await bus.subscribe('audit', {
  concurrency: 4,
  handler: (event, ctx) => {
    const tenant = event.tenantId === PLATFORM_TENANT ? '(platform)' : event.tenantId;
    audit.push(`${tenant.padEnd(10)} ${event.type} v${event.schemaVersion} (attempt ${ctx.attempt})`);
  },
});

// 4. Two tenants publish: acme runs the new producer (v2), globex an old one (v1).
for (let i = 1; i <= 3; i++) {
  await bus.publish(
    createEvent(OrderPlacedV2, {
      tenantId: 'acme',
      payload: { orderId: `A-${i}`, total: { cents: 1_000 * i, currency: 'EUR' } },
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    }),
  );
}
await bus.publishBatch(
  [250, 750].map((cents, i) =>
    createEvent(OrderPlacedV1, { tenantId: 'globex', payload: { orderId: `G-${i + 1}`, cents } }),
  ),
);
await bus.publish(
  createEvent(MaintenanceScheduled, {
    tenantId: PLATFORM_TENANT,
    payload: { startsAt: '2030-01-01T02:00:00Z' },
  }),
);

// 5. Invalid events are refused with a stable, typed code naming the broken rule.
const rejected: string[] = [];
async function attempt(label: string, fn: () => unknown): Promise<void> {
  try {
    await fn();
    rejected.push(`${label}: unexpectedly accepted`);
  } catch (error) {
    if (!isValidationError(error)) throw error;
    rejected.push(`${label.padEnd(38)} -> ${error.code} (field ${String(error.details.field)})`);
  }
}
await attempt('order with an empty tenant', () =>
  createEvent(OrderPlacedV2, {
    tenantId: '',
    payload: { orderId: 'X', total: { cents: 1, currency: 'EUR' } },
  }),
);
await attempt('order in the platform tenant', () =>
  createEvent(OrderPlacedV2, {
    tenantId: PLATFORM_TENANT,
    payload: { orderId: 'X', total: { cents: 1, currency: 'EUR' } },
  }),
);
const good = createEvent(OrderPlacedV2, {
  tenantId: 'acme',
  payload: { orderId: 'A-9', total: { cents: 5, currency: 'EUR' } },
});
await attempt('published with a negative amount', () =>
  bus.publish({ ...good, payload: { orderId: 'A-9', total: { cents: -5, currency: 'EUR' } } }),
);
await attempt('published as an unknown version (v7)', () => bus.publish({ ...good, schemaVersion: 7 }));

// 6. close() drains everything accepted; then print a short report.
const health = await bus.health();
await bus.close();

console.log('\n@rustok/core demo\n');
console.log('revenue per tenant (billing group, v1 upcast to v2):');
for (const [tenant, cents] of revenue) console.log(`  ${tenant.padEnd(10)} ${(cents / 100).toFixed(2)} EUR`);
console.log(`\naudit group saw ${audit.length} events:`);
for (const line of audit) console.log(`  ${line}`);
console.log('\nrejected before publishing:');
for (const line of rejected) console.log(`  ${line}`);
console.log(`\ntransport health while running: ${health.status}; after close: ${(await bus.health()).status}`);
