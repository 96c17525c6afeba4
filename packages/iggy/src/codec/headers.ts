import type { EventEnvelope } from '@rustok/core';
import type { HeaderValue, MessageHeaders } from '@rustok/iggy-connector';

/** Names of the headers every rustok message carries (Iggy String kind). */
export const HeaderNames = {
  CONTENT_TYPE: 'content-type',
  EVENT_TYPE: 'rustok-event-type',
  TENANT_ID: 'rustok-tenant-id',
  SCHEMA_VERSION: 'rustok-schema-version',
  TRACEPARENT: 'traceparent',
  REDRIVE_COUNT: 'rustok-redrive-count',
} as const;

/** What a reader learns from a message's headers without decoding its payload. */
export interface EventHeaders {
  contentType?: string;
  eventType?: string;
  tenantId?: string;
  schemaVersion?: number;
  traceparent?: string;
  /** How often the message was redriven from the DLQ (0 when never). */
  redriveCount: number;
  /** Known headers present with an unusable kind or value, exposed as stored. */
  invalid: Record<string, HeaderValue>;
  /** The stored header bytes when the broker could not decode them at all. */
  raw?: Uint8Array;
}

/** A String-kind header value. */
export function stringHeader(value: string): HeaderValue {
  return { kind: 'string', value };
}

/** What the rustok headers are made of: an envelope, or the fields of a serialized one. */
export type HeaderSource = Pick<EventEnvelope, 'type' | 'tenantId' | 'schemaVersion'> & {
  headers?: Readonly<Record<string, string>> | undefined;
};

/** The headers of an envelope encoded with `contentType`. */
export function buildEventHeaders(envelope: HeaderSource, contentType: string): MessageHeaders {
  const headers: MessageHeaders = {
    [HeaderNames.CONTENT_TYPE]: stringHeader(contentType),
    [HeaderNames.EVENT_TYPE]: stringHeader(envelope.type),
    [HeaderNames.TENANT_ID]: stringHeader(envelope.tenantId),
    [HeaderNames.SCHEMA_VERSION]: stringHeader(String(envelope.schemaVersion)),
  };
  const traceparent = envelope.headers?.[HeaderNames.TRACEPARENT];
  if (typeof traceparent === 'string' && traceparent.length > 0) {
    headers[HeaderNames.TRACEPARENT] = stringHeader(traceparent);
  }
  return headers;
}

/** A header's value as a string, when it is String kind; otherwise undefined. */
export function headerString(headers: MessageHeaders, name: string): string | undefined {
  const value = headers[name];
  return value?.kind === 'string' ? value.value : undefined;
}

function headerCount(value: HeaderValue | undefined): number | undefined {
  if (value === undefined) return undefined;
  let n: number | undefined;
  if (value.kind === 'string') n = /^\d{1,15}$/.test(value.value) ? Number(value.value) : undefined;
  else if (typeof value.value === 'number') n = value.value;
  else if (typeof value.value === 'bigint' && value.value <= BigInt(Number.MAX_SAFE_INTEGER)) {
    n = Number(value.value);
  }
  return n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** A String header's value; a header of another kind is recorded in `invalid`. */
function textOf(headers: MessageHeaders, name: string, invalid: Record<string, HeaderValue>): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  if (value.kind === 'string') return value.value;
  invalid[name] = value;
  return undefined;
}

/**
 * Reads the rustok headers of a stored message. Never throws: a header of the wrong kind or
 * with an unusable value lands in `invalid`, undecodable header bytes in `raw`.
 */
export function readEventHeaders(headers: MessageHeaders, raw?: Uint8Array): EventHeaders {
  const out: EventHeaders = { redriveCount: 0, invalid: {} };
  if (raw !== undefined) out.raw = raw;
  const contentType = textOf(headers, HeaderNames.CONTENT_TYPE, out.invalid);
  if (contentType !== undefined) out.contentType = contentType;
  const eventType = textOf(headers, HeaderNames.EVENT_TYPE, out.invalid);
  if (eventType !== undefined) out.eventType = eventType;
  const tenantId = textOf(headers, HeaderNames.TENANT_ID, out.invalid);
  if (tenantId !== undefined) out.tenantId = tenantId;
  const traceparent = textOf(headers, HeaderNames.TRACEPARENT, out.invalid);
  if (traceparent !== undefined) out.traceparent = traceparent;
  const version = headers[HeaderNames.SCHEMA_VERSION];
  if (version !== undefined) {
    const n = headerCount(version);
    if (n !== undefined && n >= 1) out.schemaVersion = n;
    else out.invalid[HeaderNames.SCHEMA_VERSION] = version;
  }
  const redrive = headers[HeaderNames.REDRIVE_COUNT];
  if (redrive !== undefined) {
    const n = headerCount(redrive);
    if (n !== undefined) out.redriveCount = n;
    else out.invalid[HeaderNames.REDRIVE_COUNT] = redrive;
  }
  return out;
}
