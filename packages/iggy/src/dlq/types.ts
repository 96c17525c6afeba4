import type { EventHeaders } from '../codec/headers';
import type { MessageHeaders } from '@rustok/iggy-connector';

/** One redrive of an entry, as recorded by its marker. */
export interface DlqRedrive {
  /** Id of the marker record (`partition:offset` in the DLQ topic). */
  markerId: string;
  at: Date;
  /** Where the event was republished, when known. */
  target?: { topic: string; partition: number; offset: bigint };
}

/** A dead letter as listed: metadata from headers only; the payload is never decoded. */
export interface DlqEntry {
  /** `partition:offset` of the entry in the DLQ topic. */
  id: string;
  partition: number;
  offset: bigint;
  /** Broker append time of the entry, µs. */
  timestamp: bigint;
  /** The original Iggy message id; `eventId` is its UUID form. */
  messageId: bigint;
  eventId: string;
  eventType?: string;
  tenantId?: string;
  schemaVersion?: number;
  contentType?: string;
  source: { topic: string; partition: number; offset: bigint };
  group: string;
  error: { code: string; message: string };
  attempts: number;
  firstFailureAt?: Date;
  lastFailureAt?: Date;
  /** How often the ORIGINAL message had been redriven before it failed this time. */
  redriveCount: number;
  /** `redriven` once at least one redrive marker refers to the entry. */
  status: 'pending' | 'redriven';
  redrives: DlqRedrive[];
  /** Rustok headers of the original that were present but unusable, as stored. */
  invalidHeaders: EventHeaders['invalid'];
}

/** An entry with its original bytes and headers (for `show`). */
export interface DlqEntryDetail extends DlqEntry {
  payload: Buffer;
  headers: MessageHeaders;
  /** Original header bytes the broker could not decode, when that happened. */
  rawHeaders?: Uint8Array;
}

/** Filters for listing, summarising and bulk redrive. Times apply to the last failure. */
export interface DlqFilter {
  tenantId?: string;
  /** One type or several. */
  type?: string | readonly string[];
  group?: string;
  sourceTopic?: string;
  errorCode?: string;
  status?: 'pending' | 'redriven';
  since?: Date;
  until?: Date;
  /** At most this many entries (listing only). */
  limit?: number;
}

/** Counts over the DLQ (after filters). */
export interface DlqSummary {
  total: number;
  pending: number;
  redriven: number;
  byGroup: Record<string, number>;
  byType: Record<string, number>;
  byErrorCode: Record<string, number>;
  bySourceTopic: Record<string, number>;
  oldestPendingAt?: Date;
  newestAt?: Date;
  /** Records in the DLQ topic that are neither a readable entry nor a marker. */
  unreadable: number;
}

/** Options of a redrive. */
export interface RedriveOptions {
  /** Redrive entries that were already redriven (default false: they are skipped). */
  force?: boolean;
}

/** The outcome of a redrive. */
export interface RedriveReport {
  redriven: { entryId: string; eventId: string; topic: string; partition: number; offset: bigint }[];
  skipped: { entryId: string; reason: 'already-redriven' | 'not-found' }[];
}
