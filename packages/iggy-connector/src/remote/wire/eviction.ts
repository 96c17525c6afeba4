import { ConnectionError, ErrorCodes } from '@rustok/core';
import type { EvictionHeader } from './header';
import { CLIENT_PROTOCOL, formatVersion, packVersion } from './version';

/** Eviction reasons (spec §6.2). */
export const EvictionReason = {
  Reserved: 0,
  NoSession: 1,
  ClientReleaseTooLow: 2,
  ClientReleaseTooHigh: 3,
  InvalidRequestOperation: 4,
  InvalidRequestBody: 5,
  InvalidRequestBodySize: 6,
  SessionTooLow: 7,
  SessionReleaseMismatch: 8,
  InvalidCredentials: 9,
  InvalidToken: 10,
  UserInactive: 11,
  SessionError: 12,
  StaleClient: 13,
  IncompatibleProtocol: 14,
  MalformedLogin: 15,
} as const;

const NAMES: readonly string[] = Object.keys(EvictionReason);

/** Iggy error code the official SDKs report for each eviction reason (index = reason). */
const SDK_CODES: readonly number[] = [3, 40, 3, 3, 3, 3, 3, 40, 40, 42, 53, 40, 40, 30, 14003, 4];

/** Name of an eviction reason (`Unknown(<n>)` beyond the table). */
export function evictionReasonName(reason: number): string {
  return NAMES[reason] ?? `Unknown(${reason})`;
}

/**
 * Maps an eviction frame to a typed error: credentials, token and inactive user →
 * `AUTH_FAILED`; incompatible protocol → `INCOMPATIBLE_SERVER` naming both versions; malformed
 * requests → `PROTOCOL`; a lost session (no session, stale client, …) → retriable `CONNECTION`.
 * `iggyCode` is the code the official SDKs report; `details.evictionReason` keeps the reason.
 */
export function evictionError(header: EvictionHeader, context = 'session'): ConnectionError {
  const { reason } = header;
  const name = evictionReasonName(reason);
  const iggyCode = reason < SDK_CODES.length ? (SDK_CODES[reason] as number) : 40;
  const details: Record<string, unknown> = { evictionReason: reason, eviction: name };
  const base = { iggyCode, details };
  switch (reason) {
    case EvictionReason.InvalidCredentials:
      return new ConnectionError(`${context}: login rejected, invalid username or password (eviction ${name})`, {
        ...base,
        code: ErrorCodes.AUTH_FAILED,
      });
    case EvictionReason.InvalidToken:
      return new ConnectionError(`${context}: login rejected, invalid or expired personal access token`, {
        ...base,
        code: ErrorCodes.AUTH_FAILED,
      });
    case EvictionReason.UserInactive:
      return new ConnectionError(`${context}: login rejected, the user is inactive`, {
        ...base,
        code: ErrorCodes.AUTH_FAILED,
      });
    case EvictionReason.IncompatibleProtocol:
      return incompatibleProtocolError(header.serverProtocol, header.serverProtocolMin, iggyCode, undefined, details);
    case EvictionReason.Reserved:
    case EvictionReason.ClientReleaseTooLow:
    case EvictionReason.ClientReleaseTooHigh:
    case EvictionReason.InvalidRequestOperation:
    case EvictionReason.InvalidRequestBody:
    case EvictionReason.InvalidRequestBodySize:
    case EvictionReason.MalformedLogin:
      return new ConnectionError(`${context}: the server rejected a malformed request (eviction ${name})`, {
        ...base,
        code: ErrorCodes.PROTOCOL,
      });
    default:
      return new ConnectionError(`${context}: the server ended the session (eviction ${name})`, {
        ...base,
        retriable: true,
      });
  }
}

/**
 * `INCOMPATIBLE_SERVER` naming the server's protocol window and this client's protocol.
 * `serverVersion` (the product version, e.g. `0.9.0`) is added when known; `extraDetails` are
 * merged into `details` (e.g. the eviction reason).
 */
export function incompatibleProtocolError(
  serverProtocol: number,
  serverProtocolMin: number,
  iggyCode = 14003,
  serverVersion?: string,
  extraDetails: Record<string, unknown> = {},
): ConnectionError {
  const client = formatVersion(CLIENT_PROTOCOL);
  const known = serverProtocol !== 0;
  const window =
    known && serverProtocolMin !== 0 && serverProtocolMin !== serverProtocol
      ? `${formatVersion(serverProtocolMin)}–${formatVersion(serverProtocol)}`
      : known
        ? formatVersion(serverProtocol)
        : 'an unknown version';
  const server = serverVersion ? `Iggy server ${serverVersion} (protocol ${window})` : `the server (protocol ${window})`;
  return new ConnectionError(
    `incompatible server: ${server} does not work with this client's protocol ${client}; ` +
      `use an Iggy server of the 0.9.x line (protocol ${CLIENT_PROTOCOL.major}.${CLIENT_PROTOCOL.minor}.x)`,
    {
      code: ErrorCodes.INCOMPATIBLE_SERVER,
      iggyCode,
      details: {
        clientProtocol: client,
        clientProtocolPacked: packVersion(CLIENT_PROTOCOL),
        serverProtocol: known ? formatVersion(serverProtocol) : null,
        serverProtocolMin: serverProtocolMin !== 0 ? formatVersion(serverProtocolMin) : null,
        ...(serverVersion ? { serverVersion } : {}),
        ...extraDetails,
      },
    },
  );
}
