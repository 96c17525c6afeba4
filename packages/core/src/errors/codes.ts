/**
 * Stable error codes. The catalogue is open: `RustokError.code` is a plain string, so a package
 * may add codes without a core release. These are the codes known to the core contract.
 */
export const ErrorCodes = {
  VALIDATION: 'VALIDATION',
  SERIALIZATION: 'SERIALIZATION',
  DECODE_FAILED: 'DECODE_FAILED',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  CONFLICT: 'CONFLICT',
  CLOSED: 'CLOSED',
  TIMEOUT: 'TIMEOUT',
  CONNECTION: 'CONNECTION',
  AUTH_FAILED: 'AUTH_FAILED',
  INCOMPATIBLE_SERVER: 'INCOMPATIBLE_SERVER',
  PROTOCOL: 'PROTOCOL',
  DATA_DIR_LOCKED: 'DATA_DIR_LOCKED',
  CORRUPT_RECORD: 'CORRUPT_RECORD',
  STORAGE: 'STORAGE',
  INVALID_OFFSET: 'INVALID_OFFSET',
  PARTITION_NOT_OWNED: 'PARTITION_NOT_OWNED',
  TOPOLOGY_MISMATCH: 'TOPOLOGY_MISMATCH',
  PARTIAL_PUBLISH: 'PARTIAL_PUBLISH',
  BACKPRESSURE: 'BACKPRESSURE',
  NO_SUBSCRIBERS: 'NO_SUBSCRIBERS',
  UPCAST_FAILED: 'UPCAST_FAILED',
} as const;

/** One of the codes known to core. */
export type KnownErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Any error code: a known one or one added by another package. */
export type ErrorCode = KnownErrorCode | (string & {});
