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
