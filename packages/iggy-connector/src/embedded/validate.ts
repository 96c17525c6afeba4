import { ValidationError } from '@rustok/core';

const MAX_NAME_BYTES = 255;
const U64_LIMIT = 1n << 64n;
const U128_LIMIT = 1n << 128n;
const U32_MAX = 0xffff_ffff;

/** Largest partition count a topic may have (Iggy's own limit). */
export const MAX_PARTITIONS = 1000;

/** Checks a stream, topic, group or consumer name: 1–255 UTF-8 bytes. */
export function validateName(kind: string, name: unknown): string {
  if (typeof name !== 'string') {
    throw new ValidationError(`${kind} name must be a string`, { details: { field: kind } });
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes < 1 || bytes > MAX_NAME_BYTES) {
    throw new ValidationError(`${kind} name must be 1–${MAX_NAME_BYTES} UTF-8 bytes, got ${bytes}`, {
      details: { field: kind, bytes },
    });
  }
  return name;
}

/** Checks a partition count for a new topic: an integer in 1..MAX_PARTITIONS. */
export function validatePartitionCount(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PARTITIONS) {
    throw new ValidationError(`partitions must be an integer in 1..${MAX_PARTITIONS}`, {
      details: { field: 'partitions' },
    });
  }
  return value;
}

/** Checks a partition number's shape (a non-negative integer); range is checked per topic. */
export function validatePartitionNumber(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ValidationError('partition must be a non-negative integer', {
      details: { field: 'partition' },
    });
  }
  return value;
}

/** Checks a u64 offset: negative or too large → `VALIDATION`. */
export function validateOffset(value: unknown, field = 'offset'): bigint {
  if (typeof value !== 'bigint') {
    throw new ValidationError(`${field} must be a bigint`, { details: { field } });
  }
  if (value < 0n || value >= U64_LIMIT) {
    throw new ValidationError(`${field} must be in 0..2^64-1, got ${value}`, { details: { field } });
  }
  return value;
}

/** Checks a u128 message id (0n means "mint one"). */
export function validateMessageId(value: unknown): bigint {
  if (typeof value !== 'bigint' || value < 0n || value >= U128_LIMIT) {
    throw new ValidationError('message id must be a bigint in 0..2^128-1', {
      details: { field: 'id' },
    });
  }
  return value;
}

/** Checks a non-negative safe integer option (e.g. `waitMs`, `messageExpiryMs`). */
export function validateNonNegativeInt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(`${field} must be a non-negative integer`, { details: { field } });
  }
  return value;
}

/** Checks a poll `count`: an integer ≥ 1. */
export function validateCount(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError('count must be an integer ≥ 1', { details: { field: 'count' } });
  }
  return value;
}

/** Checks a standalone consumer id: a u32 number or a 1–255 byte string. */
export function validateConsumerId(value: unknown): string | number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > U32_MAX) {
      throw new ValidationError('numeric consumer id must be a u32', { details: { field: 'consumer' } });
    }
    return value;
  }
  return validateName('consumer', value);
}
