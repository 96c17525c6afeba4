import type { PolledMessage } from '@rustok/iggy-connector';
import { headerString, readEventHeaders } from '../codec/headers';
import {
  DlqHeaders,
  headerBigInt,
  headerDate,
  headerInt,
} from './dlq-headers';
import type { DlqEntry, DlqFilter } from './types';
import { eventIdOf } from './writer';

/** A redrive marker as read back. */
export interface ParsedMarker {
  markerId: string;
  entryId: string;
  at: Date;
  target?: { topic: string; partition: number; offset: bigint };
}

/** The id of a DLQ record: `partition:offset`. */
export function dlqRecordId(partition: number, offset: bigint): string {
  return `${partition}:${offset}`;
}

/** Splits an entry id into partition and offset; undefined when malformed. */
export function parseDlqRecordId(id: string): { partition: number; offset: bigint } | undefined {
  const match = /^(\d{1,9}):(\d{1,20})$/.exec(id);
  if (!match) return undefined;
  return { partition: Number(match[1]), offset: BigInt(match[2]!) };
}

function parseTarget(text: string | undefined): ParsedMarker['target'] {
  if (text === undefined) return undefined;
  const match = /^(.+)\/(\d{1,9})\/(\d{1,20})$/.exec(text);
  if (!match) return undefined;
  return { topic: match[1]!, partition: Number(match[2]), offset: BigInt(match[3]!) };
}

/**
 * Classifies one DLQ record from its headers alone: an entry, a redrive marker, or unreadable
 * (a record some other producer wrote, or one missing required headers).
 */
export function parseDlqRecord(
  partition: number,
  message: PolledMessage,
): { kind: 'entry'; entry: DlqEntry } | { kind: 'marker'; marker: ParsedMarker } | { kind: 'unreadable' } {
  const h = message.headers;
  const kind = headerString(h, DlqHeaders.KIND);
  const id = dlqRecordId(partition, message.offset);
  if (kind === 'redrive') {
    const entryId = headerString(h, DlqHeaders.ENTRY_ID);
    if (entryId === undefined || parseDlqRecordId(entryId) === undefined) return { kind: 'unreadable' };
    const target = parseTarget(headerString(h, DlqHeaders.REDRIVE_TARGET));
    return {
      kind: 'marker',
      marker: {
        markerId: id,
        entryId,
        at: headerDate(h, DlqHeaders.REDRIVEN_AT) ?? new Date(Number(message.timestamp / 1000n)),
        ...(target ? { target } : {}),
      },
    };
  }
  if (kind !== 'entry') return { kind: 'unreadable' };
  const sourceTopic = headerString(h, DlqHeaders.SOURCE_TOPIC);
  const sourcePartition = headerInt(h, DlqHeaders.SOURCE_PARTITION);
  const sourceOffset = headerBigInt(h, DlqHeaders.SOURCE_OFFSET);
  const group = headerString(h, DlqHeaders.GROUP);
  const code = headerString(h, DlqHeaders.ERROR_CODE);
  if (
    sourceTopic === undefined ||
    sourcePartition === undefined ||
    sourceOffset === undefined ||
    group === undefined ||
    code === undefined
  ) {
    return { kind: 'unreadable' };
  }
  const event = readEventHeaders(h);
  const entry: DlqEntry = {
    id,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    messageId: message.id,
    eventId: eventIdOf(message.id),
    source: { topic: sourceTopic, partition: sourcePartition, offset: sourceOffset },
    group,
    error: { code, message: headerString(h, DlqHeaders.ERROR_MESSAGE) ?? '' },
    attempts: headerInt(h, DlqHeaders.ATTEMPTS) ?? 0,
    redriveCount: event.redriveCount,
    status: 'pending',
    redrives: [],
    invalidHeaders: event.invalid,
  };
  if (event.eventType !== undefined) entry.eventType = event.eventType;
  if (event.tenantId !== undefined) entry.tenantId = event.tenantId;
  if (event.schemaVersion !== undefined) entry.schemaVersion = event.schemaVersion;
  if (event.contentType !== undefined) entry.contentType = event.contentType;
  const first = headerDate(h, DlqHeaders.FIRST_FAILURE_AT);
  const last = headerDate(h, DlqHeaders.LAST_FAILURE_AT);
  if (first) entry.firstFailureAt = first;
  if (last) entry.lastFailureAt = last;
  return { kind: 'entry', entry };
}

/** The time filters compare against: the last failure, else the entry's append time. */
export function entryTime(entry: DlqEntry): Date {
  return entry.lastFailureAt ?? new Date(Number(entry.timestamp / 1000n));
}

/** True when `entry` passes every filter except `status` and `limit`. */
export function matchesStatic(entry: DlqEntry, filter: DlqFilter): boolean {
  if (filter.tenantId !== undefined && entry.tenantId !== filter.tenantId) return false;
  if (filter.type !== undefined) {
    const types = typeof filter.type === 'string' ? [filter.type] : filter.type;
    if (entry.eventType === undefined || !types.includes(entry.eventType)) return false;
  }
  if (filter.group !== undefined && entry.group !== filter.group) return false;
  if (filter.sourceTopic !== undefined && entry.source.topic !== filter.sourceTopic) return false;
  if (filter.errorCode !== undefined && entry.error.code !== filter.errorCode) return false;
  const time = entryTime(entry).getTime();
  if (filter.since !== undefined && time < filter.since.getTime()) return false;
  if (filter.until !== undefined && time > filter.until.getTime()) return false;
  return true;
}

/** True when `entry` passes every filter except `limit`. */
export function matches(entry: DlqEntry, filter: DlqFilter): boolean {
  if (filter.status !== undefined && entry.status !== filter.status) return false;
  return matchesStatic(entry, filter);
}
