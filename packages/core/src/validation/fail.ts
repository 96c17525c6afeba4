import { ValidationError } from '../errors/rustok-error';
import type { ValidationCode } from './codes';

/** Builds the `ValidationError` of one rule; `details.field` names the offending field. */
export function ruleError(
  code: ValidationCode,
  field: string,
  message: string,
  details: Record<string, unknown> = {},
): ValidationError {
  return new ValidationError(message, { code, details: { field, ...details } });
}
