import { type ErrorCode, ErrorCodes } from './codes';

/** Brand used by `isRustokError`, shared across duplicate copies of this package. */
const BRAND = Symbol.for('rustok.error');

/** Options accepted by every `RustokError` constructor. */
export interface RustokErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** Whether retrying the same operation may succeed. Defaults per class. */
  retriable?: boolean;
  /** Iggy's numeric error code, when the error came from an Iggy server. */
  iggyCode?: number;
  /** Structured context (never secrets). */
  details?: Readonly<Record<string, unknown>>;
}

/** Base class of every error this project throws; `code` is stable and machine-readable. */
export class RustokError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly iggyCode: number | undefined;
  readonly details: Readonly<Record<string, unknown>>;
  declare readonly [BRAND]: true;

  /** Creates an error with a stable `code` and a human-readable message. */
  constructor(code: ErrorCode, message: string, options: RustokErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.iggyCode = options.iggyCode;
    this.details = Object.freeze({ ...(options.details ?? {}) });
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }

  /** A plain-object view, safe to log (no secrets are ever stored on errors). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retriable: this.retriable,
      ...(this.iggyCode === undefined ? {} : { iggyCode: this.iggyCode }),
      details: this.details,
    };
  }
}

/** True for any `RustokError`, also one thrown by another copy of this package. */
export function isRustokError(value: unknown): value is RustokError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [BRAND]?: unknown })[BRAND] === true &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}

/** True when `value` is a `RustokError` carrying `code`. */
export function hasErrorCode(value: unknown, code: ErrorCode): value is RustokError {
  return isRustokError(value) && value.code === code;
}

/** Bad input: an option, a name, an envelope field. `details.field` names the culprit when known. */
export class ValidationError extends RustokError {
  /** Creates a validation error with the given code (default `VALIDATION`). */
  constructor(message: string, options: RustokErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? ErrorCodes.VALIDATION, message, options);
  }
}

/** Encoding or decoding of a payload failed. */
export class SerializationError extends RustokError {
  /** Creates a `SERIALIZATION` (or `DECODE_FAILED`) error. */
  constructor(message: string, options: RustokErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? ErrorCodes.SERIALIZATION, message, options);
  }
}

/** A stream, topic, partition, group or record does not exist. */
export class NotFoundError extends RustokError {
  /** Creates a `NOT_FOUND` error. */
  constructor(message: string, options: RustokErrorOptions = {}) {
    super(ErrorCodes.NOT_FOUND, message, options);
  }
}

/** The object is closed; no new work is accepted. */
export class ClosedError extends RustokError {
  /** Creates a `CLOSED` error. */
  constructor(message: string, options: RustokErrorOptions = {}) {
    super(ErrorCodes.CLOSED, message, options);
  }
}

/** An operation did not finish in time. Retriable by default. */
export class TimeoutError extends RustokError {
  /** Creates a `TIMEOUT` error. */
  constructor(message: string, options: RustokErrorOptions = {}) {
    super(ErrorCodes.TIMEOUT, message, { retriable: true, ...options });
  }
}

/** Network, authentication or protocol trouble talking to a server. */
export class ConnectionError extends RustokError {
  /** Creates a connection-class error; `code` defaults to `CONNECTION` (retriable). */
  constructor(message: string, options: RustokErrorOptions & { code?: ErrorCode } = {}) {
    const code = options.code ?? ErrorCodes.CONNECTION;
    super(code, message, { retriable: code === ErrorCodes.CONNECTION, ...options });
  }
}

/** Durable storage trouble: locked data dir, corrupt record, I/O failure. */
export class StorageError extends RustokError {
  /** Creates a storage-class error; `code` defaults to `STORAGE`. */
  constructor(message: string, options: RustokErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? ErrorCodes.STORAGE, message, options);
  }
}

/** A batch publish stopped midway; `publishedIds` lists what was accepted before the failure. */
export class PartialPublishError extends RustokError {
  readonly publishedIds: readonly string[];
  /** Creates a `PARTIAL_PUBLISH` error listing the ids that were published. */
  constructor(message: string, publishedIds: readonly string[], options: RustokErrorOptions = {}) {
    super(ErrorCodes.PARTIAL_PUBLISH, message, { retriable: true, ...options });
    this.publishedIds = Object.freeze([...publishedIds]);
  }
}

/** A bounded queue is full and its policy is to reject. */
export class BackpressureError extends RustokError {
  /** Creates a retriable `BACKPRESSURE` error. */
  constructor(message: string, options: RustokErrorOptions = {}) {
    super(ErrorCodes.BACKPRESSURE, message, { retriable: true, ...options });
  }
}

/** A publish found no subscriber that would receive the event (in-process transports). */
export class NoSubscribersError extends RustokError {
  /** Creates a `NO_SUBSCRIBERS` error. */
  constructor(message: string, options: RustokErrorOptions = {}) {
    super(ErrorCodes.NO_SUBSCRIBERS, message, options);
  }
}

/** Turning an old event version into the current one failed (missing or failing upcaster). */
export class UpcastError extends RustokError {
  /** Creates an `UPCAST_FAILED` error. */
  constructor(message: string, options: RustokErrorOptions = {}) {
    super(ErrorCodes.UPCAST_FAILED, message, options);
  }
}
