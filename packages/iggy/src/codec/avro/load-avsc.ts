import { createRequire } from 'node:module';
import { ValidationError } from '@rustok/core';
import type * as Avsc from 'avsc';

/** The parts of the optional `avsc` module this package uses. */
export type AvscModule = Pick<typeof Avsc, 'Type'>;

let cached: AvscModule | undefined;

/**
 * Loads the optional peer dependency `avsc` synchronously (it is CommonJS), only when Avro is
 * used. Throws a `VALIDATION` error naming the missing package when it is not installed.
 */
export function loadAvsc(): AvscModule {
  if (cached) return cached;
  try {
    const required = createRequire(import.meta.url)('avsc') as AvscModule;
    cached = required;
    return required;
  } catch (cause) {
    throw new ValidationError(
      "the Avro codec needs the optional peer dependency 'avsc' (npm install avsc)",
      { cause, details: { field: 'codec' } },
    );
  }
}
