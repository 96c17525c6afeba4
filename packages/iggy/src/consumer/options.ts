import type { EventHandler } from '@rustok/core';
import { ValidationError } from '@rustok/core';
import { z } from 'zod';

/** Retry policy between failed handler attempts (core's `RetryOptions` with defaults). */
export const RetryOptionsSchema = z.object({
  /** Total attempts including the first. */
  maxAttempts: z.number().int().min(1).default(5),
  backoff: z.enum(['fixed', 'exponential', 'exponential-jitter']).default('exponential-jitter'),
  initialDelayMs: z.number().int().min(0).default(100),
  maxDelayMs: z.number().int().min(0).default(30_000),
});

/** Where a group starts on a partition that has no committed offset yet. */
export const StartFromSchema = z.union([
  z.literal('earliest'),
  z.literal('latest'),
  /** Broker append time in µs, inclusive. */
  z.object({ timestamp: z.bigint().nonnegative() }),
]);

/** Options of the iterator form (`consumeGroup`): everything except the handler. */
export const ConsumeOptionsSchema = z.object({
  /** Only deliver these event types; others are acknowledged and skipped. */
  types: z.array(z.string().min(1)).readonly().optional(),
  /** Handler attempts running at once, over all partitions and topics of one member. */
  concurrency: z.number().int().min(1).default(16),
  retry: RetryOptionsSchema.prefault({}),
  /** A handler attempt taking longer counts as failed and its `ctx.signal` is aborted. */
  handlerTimeoutMs: z.number().int().min(1).default(30_000),
  /** Topics to consume (each gets its own group membership). */
  topics: z
    .array(z.string().min(1))
    .min(1)
    .readonly()
    .default(['domain'])
    .transform((topics) => [...new Set(topics)]),
  /** Send events that exhausted their attempts to the DLQ (`false`: log and skip them). */
  deadLetter: z.boolean().default(true),
  /** After a dead letter: keep going with the tenant's next event, or park the tenant. */
  onDeadLetter: z.enum(['continue', 'park-tenant']).default('continue'),
  /** Applies only to partitions where the group has no committed offset. */
  startFrom: StartFromSchema.default('earliest'),
  /** Offsets polled but not yet below the commit watermark, per partition. */
  maxInFlightPerPartition: z.number().int().min(1).default(1000),
  /** Messages fetched per poll (at most). */
  pollBatchSize: z.number().int().min(1).max(100_000).default(100),
  /** Long-poll wait when a partition has nothing new. */
  pollWaitMs: z.number().int().min(0).default(500),
  /** How often the commit watermark is stored (it is also stored on revoke and close). */
  commitIntervalMs: z.number().int().min(1).default(1000),
  /**
   * On a revoke (rebalance), how long messages already polled keep being processed before the
   * partition is released; queued work left after that is redelivered to the next owner. Iggy
   * servers move a partition only once everything polled from it is committed (or after their
   * rebalancing timeout, 30 s by default), so draining lets the hand-off happen at once.
   * 0 = release at once (running attempts still finish).
   */
  revokeDrainMs: z.number().int().min(0).default(10_000),
});

/** Options of `subscribe`: core's `SubscribeOptions` plus the Iggy-specific ones. */
export const SubscribeOptionsSchema = ConsumeOptionsSchema.extend({
  handler: z.custom<EventHandler>((value) => typeof value === 'function', {
    message: 'handler must be a function',
  }),
});

/** What callers pass to `subscribe` (defaults not applied yet). */
export type IggySubscribeOptions = z.input<typeof SubscribeOptionsSchema>;
/** `subscribe` options with every default applied. */
export type ResolvedSubscribeOptions = z.output<typeof SubscribeOptionsSchema>;
/** What callers pass to `consume` (the iterator form). */
export type IggyConsumeOptions = z.input<typeof ConsumeOptionsSchema>;
/** `consume` options with every default applied. */
export type ResolvedConsumeOptions = z.output<typeof ConsumeOptionsSchema>;
/** Where a group starts on a partition without a committed offset. */
export type StartFrom = z.output<typeof StartFromSchema>;

/** Parses options with `schema`, turning zod issues into a `VALIDATION` error. */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  throw new ValidationError(`invalid consumer options: ${field ? `${field}: ` : ''}${issue?.message}`, {
    details: { field },
    cause: result.error,
  });
}
