import { z } from 'zod';
import type { EventEnvelope } from '../envelope/types';
import { utf8Bytes } from '../envelope/predicates';
import type { Logger, Metrics } from '../hooks/index';
import type { EventRegistry } from '../registry/registry';
import type { EventHandler } from '../transport/types';
import type { BackpressureChange } from './backpressure';
import { RetryOptionsSchema } from './retry';

/** An event whose handler failed on every attempt; MemoryTransport has no DLQ, so it is reported. */
export interface DeadLetter {
  group: string;
  event: EventEnvelope;
  /** The last attempt's error. */
  error: unknown;
  attempts: number;
}

const isFunction = (v: unknown): boolean => typeof v === 'function';

const hasMethods =
  (...names: string[]) =>
  (v: unknown): boolean =>
    typeof v === 'object' &&
    v !== null &&
    names.every((n) => typeof (v as Record<string, unknown>)[n] === 'function');

/** Options of `new MemoryTransport(options)`. */
export const MemoryTransportOptionsSchema = z
  .object({
    /** Maximum events waiting per group (not counting those being handled). */
    capacity: z.number().int().min(1).default(10_000),
    /** What a publish does when a group's queue is full. */
    overflow: z.enum(['reject', 'drop-oldest']).default('reject'),
    /** Fill ratio at which a queue is in `warning` state. */
    warningRatio: z.number().gt(0).max(1).default(0.7),
    /** Fill ratio at which a queue is in `critical` state. */
    criticalRatio: z.number().gt(0).max(1).default(0.9),
    /** Validate published envelopes against this registry (all rules) instead of the registry-free rules. */
    registry: z
      .custom<EventRegistry>(hasMethods('validate', 'has', 'get'), 'must be an EventRegistry')
      .optional(),
    /** Default retry policy of subscriptions (each may override it). */
    retry: RetryOptionsSchema.optional(),
    /** Default time budget of one handler attempt. */
    handlerTimeoutMs: z.number().int().min(1).default(30_000),
    /** Called on every backpressure state change of a group. */
    onBackpressureChange: z
      .custom<(change: BackpressureChange) => void>(isFunction, 'must be a function')
      .optional(),
    /** Called when an event failed its last attempt. */
    onDeadLetter: z.custom<(letter: DeadLetter) => void>(isFunction, 'must be a function').optional(),
    logger: z
      .custom<Logger>(hasMethods('debug', 'info', 'warn', 'error'), 'must be a Logger')
      .optional(),
    metrics: z
      .custom<Metrics>(hasMethods('increment', 'observe', 'gauge'), 'must be a Metrics sink')
      .optional(),
  })
  .refine((o) => o.warningRatio < o.criticalRatio, {
    message: 'warningRatio must be below criticalRatio',
    path: ['warningRatio'],
  });

/** What `new MemoryTransport()` accepts. */
export type MemoryTransportOptions = z.input<typeof MemoryTransportOptionsSchema>;
/** Options with defaults applied. */
export type ResolvedMemoryTransportOptions = z.output<typeof MemoryTransportOptionsSchema>;

/** Options of `MemoryTransport.subscribe(group, options)`. */
export const MemorySubscribeOptionsSchema = z.object({
  handler: z.custom<EventHandler<unknown>>(isFunction, 'handler must be a function'),
  /** Only these event types reach the handler; a group receives the union of its subscriptions' types. */
  types: z.array(z.string().min(1)).min(1).optional(),
  /** Events this subscription handles at the same time. */
  concurrency: z.number().int().min(1).default(1),
  retry: RetryOptionsSchema.optional(),
  handlerTimeoutMs: z.number().int().min(1).optional(),
});

/** What `MemoryTransport.subscribe()` accepts. */
export type MemorySubscribeOptions = z.input<typeof MemorySubscribeOptionsSchema>;

/** A consumer group name: 1–255 bytes. */
export const GroupNameSchema = z
  .string()
  .refine((g) => utf8Bytes(g) >= 1 && utf8Bytes(g) <= 255, 'group name must be 1–255 bytes');
