import { ValidationError } from '@rustok/core';

/** Longest table name accepted: leaves room for the suffixes of derived index and table names. */
export const MAX_TABLE_NAME_LENGTH = 48;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks that `name` is a plain SQL identifier (letters, digits, `_`, not starting with a digit,
 * at most `maxLength` characters) and returns it; throws `VALIDATION` naming `field` otherwise.
 */
export function assertIdentifier(name: unknown, field: string, maxLength = MAX_TABLE_NAME_LENGTH): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name) || name.length > maxLength) {
    throw new ValidationError(
      `${field} must be an SQL identifier ([A-Za-z_][A-Za-z0-9_]*, at most ${maxLength} characters); got ${JSON.stringify(name)}`,
      { details: { field } },
    );
  }
  return name;
}

/** Double-quotes an identifier already checked by `assertIdentifier`. */
export function quoteIdent(name: string): string {
  return `"${name}"`;
}
