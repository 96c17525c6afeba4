import {
  type Logger,
  type Metrics,
  NotFoundError,
  noopLogger,
  noopMetrics,
  PartialPublishError,
  ValidationError,
} from '@rustok/core';
import type { IggyConnector, MessageHeaders, OutgoingMessage } from '@rustok/iggy-connector';
import { HeaderNames } from '../codec/headers';
import { messageSize } from '../codec/message-codec';
import { tenantPartition } from '../partitioning/tenant-partition';
import type { Publisher } from '../publisher/publisher';
import { scanPartition } from '../reading/scan-partition';
import { DlqHeaders, originalHeaders, textHeader } from './dlq-headers';
import {
  entryTime,
  matches,
  matchesStatic,
  type ParsedMarker,
  parseDlqRecord,
  parseDlqRecordId,
} from './parse';
import type {
  DlqEntry,
  DlqEntryDetail,
  DlqFilter,
  DlqSummary,
  RedriveOptions,
  RedriveReport,
} from './types';

/** What a `DeadLetterQueue` needs from its transport. */
export interface DeadLetterQueueDeps {
  connector: IggyConnector;
  stream: string;
  /** The DLQ topic. */
  topic: string;
  publisher: Publisher;
  /** Partition count of a source topic (for the tenant-hash rule on redrive). */
  partitionsOf(topic: string): Promise<number>;
  logger?: Logger;
  metrics?: Metrics;
}

interface ScanResult {
  entries: DlqEntry[];
  details: Map<string, DlqEntryDetail>;
  unreadable: number;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/**
 * The DLQ topic, read and redriven. The topic is append-only: entries are immutable and a
 * redrive appends a marker; listing folds entries and markers from headers alone, never
 * decoding payloads. A redriven event is appended after the tenant's later events, so it is
 * processed after them.
 */
export class DeadLetterQueue {
  readonly #deps: DeadLetterQueueDeps;
  readonly #logger: Logger;
  readonly #metrics: Metrics;

  /** Wraps the DLQ topic of a transport. */
  constructor(deps: DeadLetterQueueDeps) {
    this.#deps = deps;
    this.#logger = deps.logger ?? noopLogger;
    this.#metrics = deps.metrics ?? noopMetrics;
  }

  /** Entries matching `filter`, oldest first per DLQ partition, partitions in order. */
  async list(filter: DlqFilter = {}): Promise<DlqEntry[]> {
    const { entries } = await this.#scan(() => false);
    const out = entries.filter((e) => matches(e, filter));
    return filter.limit === undefined ? out : out.slice(0, filter.limit);
  }

  /** One entry with its original bytes and headers; `NOT_FOUND` when there is none. */
  async show(entryId: string): Promise<DlqEntryDetail> {
    this.#parseId(entryId);
    const { details } = await this.#scan((e) => e.id === entryId);
    const detail = details.get(entryId);
    if (!detail) throw new NotFoundError(`no DLQ entry ${entryId}`, { details: { entryId } });
    return detail;
  }

  /** Counts of entries matching `filter` by status, group, type, error code and source topic. */
  async summary(filter: DlqFilter = {}): Promise<DlqSummary> {
    const { entries, unreadable } = await this.#scan(() => false);
    const summary: DlqSummary = {
      total: 0,
      pending: 0,
      redriven: 0,
      byGroup: {},
      byType: {},
      byErrorCode: {},
      bySourceTopic: {},
      unreadable,
    };
    for (const entry of entries) {
      if (!matches(entry, filter)) continue;
      summary.total += 1;
      summary[entry.status] += 1;
      bump(summary.byGroup, entry.group);
      bump(summary.byType, entry.eventType ?? '(unknown)');
      bump(summary.byErrorCode, entry.error.code);
      bump(summary.bySourceTopic, entry.source.topic);
      const time = entryTime(entry);
      if (entry.status === 'pending' && (!summary.oldestPendingAt || time < summary.oldestPendingAt)) {
        summary.oldestPendingAt = time;
      }
      if (!summary.newestAt || time > summary.newestAt) summary.newestAt = time;
    }
    return summary;
  }

  /**
   * Republishes the ORIGINAL bytes of the selected entries to their source topics (partition by
   * the tenant hash, `rustok-redrive-count` + 1) and appends a marker per entry. Entries already
   * redriven are skipped unless `force`. A redriven event lands after the tenant's later events.
   */
  async redrive(
    target: string | readonly string[] | DlqFilter,
    options: RedriveOptions = {},
  ): Promise<RedriveReport> {
    const ids = typeof target === 'string' ? [target] : Array.isArray(target) ? [...target] : undefined;
    const filter = ids === undefined ? (target as DlqFilter) : undefined;
    if (ids) for (const id of ids) this.#parseId(id);
    const wanted = ids ? new Set(ids) : undefined;
    const { entries, details } = await this.#scan((e) =>
      wanted ? wanted.has(e.id) : matchesStatic(e, filter ?? {}),
    );
    const report: RedriveReport = { redriven: [], skipped: [] };
    let selected: DlqEntry[];
    if (wanted) {
      const byId = new Map(entries.map((e) => [e.id, e]));
      selected = [];
      for (const id of wanted) {
        const entry = byId.get(id);
        if (entry) selected.push(entry);
        else report.skipped.push({ entryId: id, reason: 'not-found' });
      }
      if (typeof target === 'string' && selected.length === 0) {
        throw new NotFoundError(`no DLQ entry ${target}`, { details: { entryId: target } });
      }
    } else {
      selected = entries.filter((e) => matches(e, filter ?? {}));
      if (filter?.limit !== undefined) selected = selected.slice(0, filter.limit);
    }
    const toRedrive: DlqEntryDetail[] = [];
    for (const entry of selected) {
      if (entry.status === 'redriven' && !options.force) {
        report.skipped.push({ entryId: entry.id, reason: 'already-redriven' });
      } else toRedrive.push(details.get(entry.id)!);
    }
    // Start every republish synchronously in DLQ order, so one tenant's entries keep their order.
    const tasks = toRedrive.map((detail) => this.#redriveOne(detail));
    const settled = await Promise.allSettled(tasks);
    let firstError: unknown;
    settled.forEach((result) => {
      if (result.status === 'fulfilled') report.redriven.push(result.value);
      else firstError ??= result.reason;
    });
    if (firstError !== undefined) {
      if (report.redriven.length === 0) throw firstError;
      throw new PartialPublishError(
        `redrive stopped: ${report.redriven.length} of ${toRedrive.length} entries redriven`,
        report.redriven.map((r) => r.entryId),
        { cause: firstError },
      );
    }
    return report;
  }

  async #redriveOne(detail: DlqEntryDetail): Promise<RedriveReport['redriven'][number]> {
    const { publisher, topic: dlqTopic } = this.#deps;
    const partitions = await this.#deps.partitionsOf(detail.source.topic);
    const partition =
      detail.tenantId !== undefined
        ? tenantPartition(detail.tenantId, partitions)
        : detail.source.partition % partitions;
    const headers: MessageHeaders = {
      ...originalHeaders(detail.headers),
      [HeaderNames.REDRIVE_COUNT]: textHeader(detail.redriveCount + 1),
    };
    const message: OutgoingMessage = { id: detail.messageId, payload: detail.payload, headers };
    const receipt = await publisher.publish(detail.source.topic, partition, {
      eventId: detail.eventId,
      message,
      bytes: messageSize(message),
    });
    const at = new Date();
    const marker: OutgoingMessage = {
      // Iggy needs a non-empty payload; the marker's facts live in its headers, this is a copy.
      payload: new TextEncoder().encode(JSON.stringify({ entryId: detail.id, redrivenAt: at.toISOString() })),
      headers: {
        [DlqHeaders.KIND]: textHeader('redrive'),
        [DlqHeaders.ENTRY_ID]: textHeader(detail.id),
        [DlqHeaders.REDRIVEN_AT]: textHeader(at.toISOString()),
        [DlqHeaders.REDRIVE_TARGET]: textHeader(
          `${detail.source.topic}/${partition}/${receipt.offset ?? 0n}`,
        ),
      },
    };
    await publisher.publish(dlqTopic, detail.partition, {
      eventId: `redrive:${detail.id}`,
      message: marker,
      bytes: messageSize(marker),
    });
    this.#metrics.increment('rustok.iggy.dlq.redriven', 1, {
      topic: detail.source.topic,
      group: detail.group,
    });
    this.#logger.info('DLQ entry redriven', {
      entryId: detail.id,
      topic: detail.source.topic,
      partition,
      offset: String(receipt.offset),
    });
    return {
      entryId: detail.id,
      eventId: detail.eventId,
      topic: detail.source.topic,
      partition,
      offset: receipt.offset ?? 0n,
    };
  }

  #parseId(entryId: string): void {
    if (parseDlqRecordId(entryId) === undefined) {
      throw new ValidationError(`malformed DLQ entry id ${JSON.stringify(entryId)} (expected partition:offset)`, {
        details: { field: 'entryId' },
      });
    }
  }

  async #scan(keep: (entry: DlqEntry) => boolean): Promise<ScanResult> {
    const { connector, stream, topic } = this.#deps;
    const info = await connector.getTopic(stream, topic);
    if (!info) throw new NotFoundError(`DLQ topic ${stream}/${topic} does not exist`);
    const entries: DlqEntry[] = [];
    const byId = new Map<string, DlqEntry>();
    const details = new Map<string, DlqEntryDetail>();
    const markers: ParsedMarker[] = [];
    let unreadable = 0;
    for (let partition = 0; partition < info.partitions; partition++) {
      for await (const message of scanPartition(connector, stream, topic, partition)) {
        const record = parseDlqRecord(partition, message);
        if (record.kind === 'marker') markers.push(record.marker);
        else if (record.kind === 'unreadable') unreadable += 1;
        else {
          entries.push(record.entry);
          byId.set(record.entry.id, record.entry);
          if (keep(record.entry)) {
            const detail: DlqEntryDetail = {
              ...record.entry,
              payload: message.payload,
              headers: message.headers,
            };
            if (message.rawHeaders !== undefined) detail.rawHeaders = message.rawHeaders;
            details.set(record.entry.id, detail);
          }
        }
      }
    }
    for (const marker of markers) {
      const entry = byId.get(marker.entryId);
      if (!entry) continue;
      const redrive = {
        markerId: marker.markerId,
        at: marker.at,
        ...(marker.target ? { target: marker.target } : {}),
      };
      entry.status = 'redriven';
      entry.redrives.push(redrive);
      const detail = details.get(entry.id);
      if (detail) {
        detail.status = 'redriven';
        detail.redrives = entry.redrives;
      }
    }
    return { entries, details, unreadable };
  }
}
