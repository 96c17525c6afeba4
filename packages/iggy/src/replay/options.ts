import { z } from 'zod';

const Offset = z.union([z.bigint().nonnegative(), z.number().int().nonnegative().transform(BigInt)]);
/** Broker append time, µs since the epoch (a `Date` is converted). */
const Micros = z.union([
  z.bigint().nonnegative(),
  z.number().int().nonnegative().transform(BigInt),
  z.date().transform((d) => BigInt(d.getTime()) * 1000n),
]);

/** Where a replay starts in every partition it reads. */
export const ReplayFromSchema = z.union([
  z.literal('earliest'),
  z.object({ offset: Offset }),
  z.object({ timestamp: Micros }),
]);

/** Where a replay stops (inclusive); by default at the last offset when the replay starts. */
export const ReplayToSchema = z.union([z.object({ offset: Offset }), z.object({ timestamp: Micros })]);

/** Options of `transport.replay()`. */
export const ReplayOptionsSchema = z.object({
  topic: z.string().min(1),
  from: ReplayFromSchema.default('earliest'),
  to: ReplayToSchema.optional(),
  /** Only this tenant: reads just its partition and filters on the tenant header. */
  tenantId: z.string().min(1).optional(),
  /** Only these event types (filtered on the type header, without decoding others). */
  types: z.array(z.string().min(1)).readonly().optional(),
  /** Only events whose own `occurredAt` is after this instant (exclusive). */
  occurredAfter: z.union([z.date(), z.iso.datetime({ offset: true })]).transform((v) => new Date(v)).optional(),
  /** Only these partitions (default: all, or the tenant's). */
  partitions: z.array(z.number().int().nonnegative()).readonly().optional(),
  /** What to do with a message that cannot be decoded: fail the replay (default) or skip it. */
  onDecodeError: z.enum(['throw', 'skip']).default('throw'),
  /** Messages read per poll. */
  batchSize: z.number().int().min(1).max(100_000).default(1000),
  /** Stops the replay early. */
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal).optional(),
});

/** Options of `transport.replay()` as callers write them. */
export type ReplayOptions = z.input<typeof ReplayOptionsSchema>;
/** Replay options with defaults applied. */
export type ResolvedReplayOptions = z.output<typeof ReplayOptionsSchema>;
