import { ValidationError } from '@rustok/core';
import type { z } from 'zod';

/**
 * Parses options with `schema`; failures become `VALIDATION` naming the fields (issue paths and
 * messages only — never the values, which may hold secrets).
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new ValidationError(
    `invalid ${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    { details: { issues } },
  );
}
