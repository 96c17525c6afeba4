import { ValidationError } from '@rustok/core';
import type { Consumer } from '../types';
import type { OffsetKey } from './offsets/offset-record';
import { validateConsumerId, validateName } from './validate';

/** Checks a `Consumer` value's shape (`VALIDATION` otherwise). */
export function validateConsumer(consumer: unknown): Consumer {
  const c = consumer as { kind?: unknown; id?: unknown; name?: unknown } | null;
  if (c?.kind === 'consumer') {
    validateConsumerId(c.id);
    return consumer as Consumer;
  }
  if (c?.kind === 'group') {
    validateName('group', c.name);
    return consumer as Consumer;
  }
  throw new ValidationError("consumer must be { kind: 'consumer', id } or { kind: 'group', name }", {
    details: { field: 'consumer' },
  });
}

/** The offsets-store key of `consumer` for `partition`. */
export function offsetKeyFor(consumer: Consumer, partition: number): OffsetKey {
  if (consumer.kind === 'group') return { kind: 'group', name: consumer.name, partition };
  return typeof consumer.id === 'number'
    ? { kind: 'consumer-number', name: String(consumer.id), partition }
    : { kind: 'consumer-string', name: consumer.id, partition };
}
