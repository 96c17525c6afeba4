import { defineEvent } from '@rustok/core';
import { z } from 'zod';

/** `order.created` v1 with an Avro schema for its payload: the typed event tests share. */
export const OrderCreated = defineEvent({
  type: 'order.created',
  version: 1,
  payload: z.object({ orderId: z.string(), amount: z.number() }),
  avro: {
    type: 'record',
    name: 'OrderCreated',
    namespace: 'test',
    fields: [
      { name: 'orderId', type: 'string' },
      { name: 'amount', type: 'int' },
    ],
  },
});
