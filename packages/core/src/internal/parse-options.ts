import type { z } from 'zod';
import { ValidationError } from '../errors/rustok-error';

/** Parses an options object with its zod schema; bad options throw `VALIDATION` naming the field. */
export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  const field = first?.path ?? '';
  throw new ValidationError(
    `invalid ${what}${field === '' ? '' : ` (${field})`}: ${first?.message ?? 'invalid value'}`,
    { details: { field, issues } },
  );
}
