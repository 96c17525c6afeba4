import {
  ConnectionError,
  ErrorCodes,
  NotFoundError,
  RustokError,
  TimeoutError,
  ValidationError,
} from '@rustok/core';

/** Code for a server error this client has no better mapping for. */
export const SERVER_ERROR = 'SERVER_ERROR';

/** Iggy error codes the client reacts to by number. */
export const IggyCode = {
  InvalidCommand: 3,
  InvalidFormat: 4,
  FeatureUnavailable: 5,
  InvalidIdentifier: 6,
  ResourceNotFound: 20,
  StaleClient: 30,
  Unauthenticated: 40,
  Unauthorized: 41,
  InvalidCredentials: 42,
  InvalidPersonalAccessToken: 53,
  TransientNotCommitted: 57,
  TransientNotAccepted: 58,
  RequestAlreadyApplied: 59,
  EmptyResponse: 304,
  StreamIdNotFound: 1009,
  StreamNameAlreadyExists: 1012,
  TopicIdNotFound: 2010,
  TopicNameAlreadyExists: 2013,
  PartitionNotFound: 3007,
  ConsumerOffsetNotFound: 3021,
  InvalidOffset: 4100,
  ConsumerGroupIdNotFound: 5000,
  ConsumerGroupNameAlreadyExists: 5004,
  ConsumerGroupMemberNotFound: 5006,
  ConsumerGroupPartitionNotOwned: 5009,
  IncompatibleProtocolVersion: 14003,
} as const;

/** Names of the Iggy error codes this client knows (spec §6.3), for messages. */
const IGGY_NAMES: Readonly<Record<number, string>> = {
  1: 'Error',
  2: 'InvalidConfiguration',
  3: 'InvalidCommand',
  4: 'InvalidFormat',
  5: 'FeatureUnavailable',
  6: 'InvalidIdentifier',
  8: 'Disconnected',
  20: 'ResourceNotFound',
  30: 'StaleClient',
  40: 'Unauthenticated',
  41: 'Unauthorized',
  42: 'InvalidCredentials',
  43: 'InvalidUsername',
  46: 'UserAlreadyExists',
  51: 'PersonalAccessTokenAlreadyExists',
  52: 'PersonalAccessTokensLimitReached',
  53: 'InvalidPersonalAccessToken',
  56: 'InvalidPersonalAccessTokenExpiry',
  57: 'TransientNotCommitted',
  58: 'TransientNotAccepted',
  59: 'RequestAlreadyApplied',
  304: 'EmptyResponse',
  1009: 'StreamIdNotFound',
  1010: 'StreamNameNotFound',
  1012: 'StreamNameAlreadyExists',
  1019: 'InvalidTopicSize',
  1020: 'TooManyStreams',
  2010: 'TopicIdNotFound',
  2013: 'TopicNameAlreadyExists',
  2015: 'TooManyPartitions',
  2019: 'InvalidPartitionsCount',
  2021: 'TooManyTopics',
  3007: 'PartitionNotFound',
  3013: 'PartitionIdSpaceExhausted',
  3021: 'ConsumerOffsetNotFound',
  4009: 'InvalidMessagesCount',
  4027: 'InvalidMessageChecksum',
  4038: 'InvalidMessageTimestampDelta',
  4039: 'InvalidBatchChecksum',
  4041: 'UnsupportedOptionKey',
  4042: 'InvalidOptionValue',
  4100: 'InvalidOffset',
  5000: 'ConsumerGroupIdNotFound',
  5003: 'ConsumerGroupNameNotFound',
  5004: 'ConsumerGroupNameAlreadyExists',
  5006: 'ConsumerGroupMemberNotFound',
  5009: 'ConsumerGroupPartitionNotOwned',
  14000: 'AlreadyAuthenticated',
  14001: 'InvalidSession',
  14003: 'IncompatibleProtocolVersion',
};

const NOT_FOUND_CODES = new Set([20, 1009, 1010, 2010, 3007, 3021, 5000, 5003, 5006]);
const ALREADY_EXISTS_CODES = new Set([46, 51, 1012, 2013, 5004]);
const AUTH_CODES = new Set([40, 41, 42, 43, 53, 14000, 14001]);
const VALIDATION_CODES = new Set([2, 6, 52, 56, 1019, 1020, 2015, 2019, 2021, 3013, 4009, 4038, 4041, 4042]);
const PROTOCOL_CODES = new Set([3, 4, 5, 304, 4027, 4039]);
const TRANSIENT_CODES = new Set([8, 30, 57, 58]);

/** Iggy's name for a numeric error code (`IggyError#<code>` when unknown). */
export function iggyErrorName(code: number): string {
  return IGGY_NAMES[code] ?? `IggyError#${code}`;
}

/** True for the transient consensus codes that call for resending the identical request. */
export function isTransientCode(code: number | undefined): boolean {
  return code === IggyCode.TransientNotCommitted || code === IggyCode.TransientNotAccepted;
}

/**
 * Maps an Iggy error code to the typed error: not-found codes → `NOT_FOUND`, already-exists →
 * `ALREADY_EXISTS`, 4100 → `INVALID_OFFSET`, 5009 → `PARTITION_NOT_OWNED`, auth codes →
 * `AUTH_FAILED`, … Unknown codes become `SERVER_ERROR`. Iggy's code is kept in `iggyCode`.
 */
export function iggyError(code: number, context?: string): RustokError {
  const what = `${iggyErrorName(code)} (${code})`;
  const message = context ? `${context}: server answered ${what}` : `server answered ${what}`;
  const options = { iggyCode: code, details: { iggyCode: code, iggyError: iggyErrorName(code) } };
  if (NOT_FOUND_CODES.has(code)) return new NotFoundError(message, options);
  if (ALREADY_EXISTS_CODES.has(code)) return new RustokError(ErrorCodes.ALREADY_EXISTS, message, options);
  if (code === IggyCode.InvalidOffset) return new RustokError(ErrorCodes.INVALID_OFFSET, message, options);
  if (code === IggyCode.ConsumerGroupPartitionNotOwned) {
    return new RustokError(ErrorCodes.PARTITION_NOT_OWNED, message, options);
  }
  if (AUTH_CODES.has(code)) return new ConnectionError(message, { ...options, code: ErrorCodes.AUTH_FAILED });
  if (code === IggyCode.IncompatibleProtocolVersion) {
    return new ConnectionError(message, { ...options, code: ErrorCodes.INCOMPATIBLE_SERVER });
  }
  if (VALIDATION_CODES.has(code)) return new ValidationError(message, options);
  if (PROTOCOL_CODES.has(code)) return new ConnectionError(message, { ...options, code: ErrorCodes.PROTOCOL });
  if (TRANSIENT_CODES.has(code)) return new ConnectionError(message, { ...options, retriable: true });
  if (code === IggyCode.RequestAlreadyApplied) return new RustokError(ErrorCodes.CONFLICT, message, options);
  return new RustokError(SERVER_ERROR, message, options);
}

/** A malformed frame or body: `PROTOCOL` (not retriable; the connection is not trustworthy). */
export function protocolError(message: string, details: Record<string, unknown> = {}): ConnectionError {
  return new ConnectionError(`protocol error: ${message}`, { code: ErrorCodes.PROTOCOL, details });
}

/** A request that got no reply in time. */
export function requestTimeout(what: string, timeoutMs: number): TimeoutError {
  return new TimeoutError(`${what} got no reply within ${timeoutMs} ms; the connection was dropped`, {
    details: { timeoutMs },
  });
}
