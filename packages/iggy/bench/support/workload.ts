// Events of the transport benchmark: one typed definition (zod payload schema plus an Avro
// schema of the same payload) and pre-built envelopes whose JSON payload has a target size.
import { createEvent, defineEvent, type EventEnvelope, EventRegistry } from '@rustok/core';
import { z } from 'zod';

/** `bench.order-placed` v1: an order with lines, typical of a domain event. */
export const OrderPlaced = defineEvent({
  type: 'bench.order-placed',
  version: 1,
  payload: z.object({
    orderId: z.string(),
    customerId: z.string(),
    seq: z.number().int(),
    currency: z.string(),
    lines: z.array(z.object({ sku: z.string(), qty: z.number().int(), cents: z.number().int() })),
  }),
  avro: {
    type: 'record',
    name: 'OrderPlaced',
    namespace: 'bench',
    fields: [
      { name: 'orderId', type: 'string' },
      { name: 'customerId', type: 'string' },
      { name: 'seq', type: 'long' },
      { name: 'currency', type: 'string' },
      {
        name: 'lines',
        type: {
          type: 'array',
          items: {
            type: 'record',
            name: 'Line',
            fields: [
              { name: 'sku', type: 'string' },
              { name: 'qty', type: 'int' },
              { name: 'cents', type: 'long' },
            ],
          },
        },
      },
    ],
  },
});

/** The payload type of `OrderPlaced`. */
export type OrderPayload = z.infer<typeof OrderPlaced.payload>;

/** A registry holding `OrderPlaced` (the transport validates payloads and finds the Avro schema). */
export function benchRegistry(): EventRegistry {
  return new EventRegistry().register(OrderPlaced);
}

/** Tenants events are spread over (64 tenants over the topic's 8 partitions). */
export const TENANTS = 64;

function payloadOf(seq: number, targetBytes: number): OrderPayload {
  const payload: OrderPayload = {
    orderId: `ord-${seq.toString(36).padStart(8, '0')}`,
    customerId: `cus-${((seq * 7919) % 100_000).toString().padStart(6, '0')}`,
    seq,
    currency: 'EUR',
    lines: [],
  };
  for (let i = 0; JSON.stringify(payload).length < targetBytes; i++) {
    payload.lines.push({ sku: `SKU-${(seq + i * 31) % 1_000_000}`, qty: 1 + (i % 9), cents: 1999 + i * 1013 });
  }
  return payload;
}

/** `count` valid envelopes, tenants round-robin, each payload about `payloadBytes` of JSON. */
export function makeEnvelopes(count: number, payloadBytes: number): EventEnvelope[] {
  const out: EventEnvelope[] = new Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = createEvent(OrderPlaced, { tenantId: `tenant-${i % TENANTS}`, payload: payloadOf(i, payloadBytes) });
  }
  return out;
}

/** Mean JSON size of the payloads and of the whole envelopes, in bytes. */
export function meanSizes(envelopes: readonly EventEnvelope[]): { payload: number; envelope: number } {
  let payload = 0;
  let envelope = 0;
  for (const e of envelopes) {
    payload += Buffer.byteLength(JSON.stringify(e.payload));
    envelope += Buffer.byteLength(JSON.stringify(e));
  }
  return { payload: payload / envelopes.length, envelope: envelope / envelopes.length };
}
