import { z } from 'zod';
import { createEvent } from '../src/envelope/create';
import { defineEvent } from '../src/envelope/definition';
import { EventRegistry } from '../src/registry/registry';

/** A tenant-scoped event used across the tests. */
export const OrderCreated = defineEvent({
  type: 'order.created',
  version: 1,
  payload: z.object({
    orderId: z.string().min(1),
    amount: z.number().int().nonnegative(),
  }),
});

/** A platform-scoped event: may carry the nil-UUID tenant. */
export const TenantSuspended = defineEvent({
  type: 'platform.tenant-suspended',
  version: 1,
  platformScope: true,
  payload: z.object({ reason: z.string() }),
});

/** A registry holding both fixtures. */
export function fixtureRegistry(): EventRegistry {
  return new EventRegistry().register(OrderCreated).register(TenantSuspended);
}

/** A valid `order.created` envelope as a plain mutable record. */
export function validOrder(tenantId = 'tenant-a'): Record<string, unknown> {
  return {
    ...createEvent(OrderCreated, { tenantId, payload: { orderId: 'o-1', amount: 10 } }),
  };
}

/** Runs `fn` and returns what it threw (fails when it did not throw). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
