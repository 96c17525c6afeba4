import type { EventDefinition } from '../envelope/definition';
import type { EventEnvelope } from '../envelope/types';
import { ErrorCodes } from '../errors/codes';
import { RustokError, UpcastError, ValidationError } from '../errors/rustok-error';
import { ValidationCodes } from '../validation/codes';
import { ruleError } from '../validation/fail';
import { checkPayload } from '../validation/rules';
import { validateEnvelope } from '../validation/validate';

/** Options of one registered version. */
export interface RegisterOptions<T = unknown> {
  /**
   * Turns a payload of this version into one of the next registered version of the same type
   * (normally `version + 1`). Needed on every version below the latest for `upcast()`.
   */
  upcastToNext?: (payload: T) => unknown;
}

/** The versions of an unregistered type. */
const NO_VERSIONS: readonly number[] = Object.freeze([]);

interface Entry {
  definition: EventDefinition<unknown>;
  upcastToNext: ((payload: unknown) => unknown) | undefined;
}

/**
 * Holds event definitions, several versions per type, so history and in-flight old events stay
 * valid after a version bump; optional upcasters turn an old payload into the latest one.
 */
export class EventRegistry {
  readonly #types = new Map<string, Map<number, Entry>>();
  /** Registered versions per type, ascending; rebuilt lazily after `register()` adds one. */
  readonly #sorted = new Map<string, readonly number[]>();

  /** Adds one version of a type; registering the same (type, version) twice is `ALREADY_EXISTS`. */
  register<T>(def: EventDefinition<T>, options: RegisterOptions<T> = {}): this {
    if (typeof def?.type !== 'string' || typeof def.payload?.safeParse !== 'function') {
      throw new ValidationError('register() needs a definition made by defineEvent()', {
        details: { field: 'definition' },
      });
    }
    if (options.upcastToNext !== undefined && typeof options.upcastToNext !== 'function') {
      throw new ValidationError(`upcastToNext of "${def.type}" v${def.version} must be a function`, {
        details: { field: 'upcastToNext' },
      });
    }
    let versions = this.#types.get(def.type);
    if (versions === undefined) {
      versions = new Map();
      this.#types.set(def.type, versions);
    }
    if (versions.has(def.version)) {
      throw new RustokError(
        ErrorCodes.ALREADY_EXISTS,
        `event type "${def.type}" v${def.version} is already registered`,
        { details: { type: def.type, version: def.version } },
      );
    }
    versions.set(def.version, {
      definition: def as EventDefinition<unknown>,
      upcastToNext: options.upcastToNext as ((payload: unknown) => unknown) | undefined,
    });
    this.#sorted.delete(def.type);
    return this;
  }

  /** The definition of one version of a type, if registered. */
  get(type: string, version: number): EventDefinition<unknown> | undefined {
    return this.#types.get(type)?.get(version)?.definition;
  }

  /** The definition with the highest registered version of a type. */
  latest(type: string): EventDefinition<unknown> | undefined {
    const versions = this.#sortedVersions(type);
    const top = versions[versions.length - 1];
    return top === undefined ? undefined : this.get(type, top);
  }

  /** True when at least one version of `type` is registered. */
  has(type: string): boolean {
    return this.#types.has(type);
  }

  /** The registered versions of a type, ascending (empty when unknown). */
  versions(type: string): number[] {
    return [...this.#sortedVersions(type)];
  }

  /** The cached ascending versions of a type (shared; never hand it out unfrozen). */
  #sortedVersions(type: string): readonly number[] {
    const cached = this.#sorted.get(type);
    if (cached !== undefined) return cached;
    const versions = this.#types.get(type);
    if (versions === undefined) return NO_VERSIONS;
    const sorted = Object.freeze([...versions.keys()].sort((a, b) => a - b));
    this.#sorted.set(type, sorted);
    return sorted;
  }

  /** Every registered type name, sorted. */
  types(): string[] {
    return [...this.#types.keys()].sort();
  }

  /** Validates an envelope against this registry (all rules, in order); returns a fresh copy. */
  validate(input: unknown): EventEnvelope {
    return validateEnvelope(input, { registry: this });
  }

  /**
   * Brings an envelope of an older registered version to the latest one through the chain of
   * upcasters, checking each step's result against that version's schema. The envelope of the
   * latest version is returned unchanged. Throws `UPCAST_FAILED` when a step is missing or fails.
   */
  upcast(envelope: EventEnvelope): EventEnvelope {
    const { type, schemaVersion } = envelope;
    const versions = this.#sortedVersions(type);
    if (versions.length === 0) {
      throw ruleError(ValidationCodes.UNKNOWN_TYPE, 'type', `event type "${type}" is not registered`);
    }
    const start = versions.indexOf(schemaVersion);
    if (start === -1) {
      throw ruleError(
        ValidationCodes.UNKNOWN_VERSION,
        'schemaVersion',
        `event type "${type}" has no registered version ${schemaVersion} (registered: ${versions.join(', ')})`,
        { registeredVersions: [...versions] },
      );
    }
    if (start === versions.length - 1) return envelope;

    let payload = envelope.payload;
    for (let i = start; i < versions.length - 1; i++) {
      const from = versions[i]!;
      const to = versions[i + 1]!;
      payload = this.#step(type, from, to, payload);
    }
    return { ...envelope, schemaVersion: versions[versions.length - 1]!, payload };
  }

  #step(type: string, from: number, to: number, payload: unknown): unknown {
    const entry = this.#types.get(type)!.get(from)!;
    const target = this.#types.get(type)!.get(to)!.definition;
    const details = { type, fromVersion: from, toVersion: to };
    if (entry.upcastToNext === undefined) {
      throw new UpcastError(`no upcaster registered from "${type}" v${from} to v${to}`, { details });
    }
    let next: unknown;
    try {
      next = entry.upcastToNext(payload);
    } catch (cause) {
      throw new UpcastError(`upcaster of "${type}" v${from} → v${to} threw`, { cause, details });
    }
    try {
      return checkPayload(next, target);
    } catch (cause) {
      throw new UpcastError(
        `upcaster of "${type}" v${from} → v${to} produced a payload that does not match v${to}`,
        { cause, details },
      );
    }
  }
}
