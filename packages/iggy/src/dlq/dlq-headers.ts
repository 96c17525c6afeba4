import type { HeaderValue, MessageHeaders } from '@rustok/iggy-connector';
import { headerString, stringHeader } from '../codec/headers';

/** Header names the DLQ adds (all Iggy String kind). */
export const DlqHeaders = {
  /** `entry` for a dead letter, `redrive` for a redrive marker. */
  KIND: 'rustok-dlq-kind',
  SOURCE_TOPIC: 'rustok-dlq-source-topic',
  SOURCE_PARTITION: 'rustok-dlq-source-partition',
  SOURCE_OFFSET: 'rustok-dlq-source-offset',
  GROUP: 'rustok-dlq-group',
  ERROR_CODE: 'rustok-dlq-error-code',
  ERROR_MESSAGE: 'rustok-dlq-error-message',
  ATTEMPTS: 'rustok-dlq-attempts',
  FIRST_FAILURE_AT: 'rustok-dlq-first-failure-at',
  LAST_FAILURE_AT: 'rustok-dlq-last-failure-at',
  /** Present when the original header bytes could not be decoded: those bytes, raw. */
  RAW_HEADERS: 'rustok-dlq-raw-headers',
  /** Marker: the entry id it refers to. */
  ENTRY_ID: 'rustok-dlq-entry-id',
  /** Marker: when the redrive happened. */
  REDRIVEN_AT: 'rustok-dlq-redriven-at',
  /** Marker: where the event was republished (`topic/partition/offset`). */
  REDRIVE_TARGET: 'rustok-dlq-redrive-target',
} as const;

/** Prefix shared by every DLQ header. */
export const DLQ_HEADER_PREFIX = 'rustok-dlq-';

/** Bound of the stored error message, in UTF-8 bytes: Iggy's limit on one header value. */
export const MAX_ERROR_MESSAGE_BYTES = 255;

/** Cuts `text` to at most `maxBytes` UTF-8 bytes on a character boundary, marking the cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const ellipsis = '…';
  const budget = maxBytes - Buffer.byteLength(ellipsis);
  let used = 0;
  let out = '';
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (used + size > budget) break;
    out += ch;
    used += size;
  }
  return out + ellipsis;
}

/** The original headers of a stored DLQ entry: everything except the DLQ's own headers. */
export function originalHeaders(headers: MessageHeaders): MessageHeaders {
  const out: MessageHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(DLQ_HEADER_PREFIX)) out[name] = value;
  }
  return out;
}

/** Reads a String header as a non-negative integer (bigint); undefined when absent or invalid. */
export function headerBigInt(headers: MessageHeaders, name: string): bigint | undefined {
  const text = headerString(headers, name);
  return text !== undefined && /^\d{1,20}$/.test(text) ? BigInt(text) : undefined;
}

/** Reads a String header as a safe non-negative integer; undefined when absent or invalid. */
export function headerInt(headers: MessageHeaders, name: string): number | undefined {
  const n = headerBigInt(headers, name);
  return n !== undefined && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : undefined;
}

/** Reads a String header as a date; undefined when absent or unparsable. */
export function headerDate(headers: MessageHeaders, name: string): Date | undefined {
  const text = headerString(headers, name);
  if (text === undefined) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Shorthand for a String header built from any printable value. */
export function textHeader(value: string | number | bigint): HeaderValue {
  return stringHeader(String(value));
}
