import { type EventRegistry, ValidationError } from '@rustok/core';
import { z } from 'zod';

/**
 * Parses an options object with a zod schema; a failure becomes a `VALIDATION` error naming the
 * first offending field (`details.field`) and listing every issue.
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0];
  throw new ValidationError(
    `invalid ${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    { details: { field: first?.path ?? '', issues } },
  );
}

/** A zod schema accepting an `EventRegistry` (also one from another copy of @rustok/core). */
export const registrySchema = z.custom<EventRegistry>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { get?: unknown }).get === 'function' &&
    typeof (v as { versions?: unknown }).versions === 'function',
  'registry must be an EventRegistry',
);

/** A zod schema for a driver object recognised by its methods (duck-typed, so any copy works). */
export function driverSchema<T>(methods: readonly string[], message: string) {
  return z.custom<T>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      methods.every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
    message,
  );
}

/** Options every outbox store shares: table names and an optional registry. */
export const storeTableOptions = {
  /** Outbox table; `<table>_workers` holds relay registrations. */
  table: z.string().default('rustok_outbox'),
  /** Table recording applied schema versions (shared with the inbox). */
  migrationsTable: z.string().default('rustok_migrations'),
  /** When given, envelopes must match a registered definition. */
  registry: registrySchema.optional(),
};
