import { ValidationError } from '@rustok/core';
import type { GroupInfo, StreamInfo, TopicInfo } from '../types';
import type { GroupDetails, GroupHeader, StreamHeader, TopicHeader } from './wire/commands/index';
import { U64_MAX } from './wire/constants';

/** µs since the epoch → Date. */
export function microsToDate(micros: bigint): Date {
  return new Date(Number(micros / 1000n));
}

/** A stream header as `StreamInfo`. */
export function toStreamInfo(header: StreamHeader): StreamInfo {
  return { id: header.id, name: header.name, topicsCount: header.topicsCount, createdAt: microsToDate(header.createdAt) };
}

/** 0 and u64::MAX both mean "none" (server default never / unlimited). */
function limit(value: bigint): bigint | null {
  return value === 0n || value === U64_MAX ? null : value;
}

/** A topic header as `TopicInfo`. */
export function toTopicInfo(stream: string, header: TopicHeader): TopicInfo {
  const expiry = limit(header.messageExpiry);
  return {
    id: header.id,
    streamName: stream,
    name: header.name,
    partitions: header.partitionsCount,
    messageExpiryMs: expiry === null ? null : Number(expiry / 1000n),
    maxTopicBytes: limit(header.maxTopicSize),
    sizeBytes: header.sizeBytes,
    messagesCount: header.messagesCount,
    createdAt: microsToDate(header.createdAt),
  };
}

/** A group (with or without members) as `GroupInfo`. */
export function toGroupInfo(details: GroupDetails | GroupHeader): GroupInfo {
  const header = 'group' in details ? details.group : details;
  const members = 'members' in details ? details.members : [];
  return {
    id: header.id,
    name: header.name,
    partitions: header.partitionsCount,
    members: members.map((m) => ({ id: String(m.memberId), partitions: [...m.partitions].sort((a, b) => a - b) })),
  };
}

const U32_MAX = 0xffff_ffff;

/** Checks a 1–255 byte name. */
export function checkName(kind: string, name: unknown): string {
  if (typeof name !== 'string') throw new ValidationError(`${kind} name must be a string`, { details: { field: kind } });
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes < 1 || bytes > 255) {
    throw new ValidationError(`${kind} name must be 1–255 UTF-8 bytes, got ${bytes}`, { details: { field: kind, bytes } });
  }
  return name;
}

/** Checks a non-negative integer that fits a u32. */
export function checkIndex(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > U32_MAX) {
    throw new ValidationError(`${field} must be a non-negative integer`, { details: { field } });
  }
  return value;
}

/** Checks a u64 offset (bigint ≥ 0). */
export function checkOffset(field: string, value: unknown): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    throw new ValidationError(`${field} must be a bigint in 0..2^64-1`, { details: { field } });
  }
  return value;
}
