import { inspect } from 'node:util';

const REDACTED = '***';

/**
 * Holds a secret (password, token) so it never leaks by accident: `toString()`, `toJSON()` and
 * `util.inspect` all print `***`; only `reveal()` returns the value.
 */
export class Secret {
  readonly #value: string;

  /** Wraps a secret value. */
  constructor(value: string) {
    this.#value = value;
  }

  /** Returns the secret value; call it only where the value is sent to its destination. */
  reveal(): string {
    return this.#value;
  }

  /** Always `***`. */
  toString(): string {
    return REDACTED;
  }

  /** Always `***`, so `JSON.stringify` never exposes the value. */
  toJSON(): string {
    return REDACTED;
  }

  /** Always `***` for `util.inspect` / `console.log`. */
  [inspect.custom](): string {
    return REDACTED;
  }

  get [Symbol.toStringTag](): string {
    return 'Secret';
  }
}

/** True for a `Secret` (also one from another copy of this package). */
export function isSecret(value: unknown): value is Secret {
  return (
    value instanceof Secret ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { reveal?: unknown }).reveal === 'function' &&
      Object.prototype.toString.call(value) === '[object Secret]')
  );
}
