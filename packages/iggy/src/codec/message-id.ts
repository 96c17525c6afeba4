import { ValidationError } from '@rustok/core';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const U128_MAX = (1n << 128n) - 1n;

/** The Iggy message id of an envelope: the UUID's 16 bytes (RFC order) read as a big-endian u128. */
export function uuidToMessageId(uuid: string): bigint {
  if (!UUID_RE.test(uuid)) {
    throw new ValidationError(`not a UUID: ${JSON.stringify(uuid.slice(0, 64))}`, {
      details: { field: 'id' },
    });
  }
  return validUuidToMessageId(uuid);
}

/** `uuidToMessageId` for an id already checked to be a UUID (e.g. of a validated envelope). */
export function validUuidToMessageId(uuid: string): bigint {
  return BigInt(`0x${uuid.slice(0, 8)}${uuid.slice(9, 13)}${uuid.slice(14, 18)}${uuid.slice(19, 23)}${uuid.slice(24)}`);
}

/** The UUID string (lower case, RFC layout) of an Iggy message id; inverse of `uuidToMessageId`. */
export function messageIdToUuid(id: bigint): string {
  if (id < 0n || id > U128_MAX) {
    throw new ValidationError(`message id out of u128 range: ${id}`, { details: { field: 'id' } });
  }
  const hex = id.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
