import { type Logger, type Metrics, noopLogger, noopMetrics } from '@rustok/core';
import type { MessageHeaders, OutgoingMessage } from '@rustok/iggy-connector';
import { HeaderNames, headerString } from '../codec/headers';
import { messageSize } from '../codec/message-codec';
import { messageIdToUuid } from '../codec/message-id';
import type { DeadLetterInput } from '../consumer/types';
import { tenantPartition } from '../partitioning/tenant-partition';
import type { Publisher } from '../publisher/publisher';
import {
  DlqHeaders,
  MAX_ERROR_MESSAGE_BYTES,
  originalHeaders,
  textHeader,
  truncateUtf8,
} from './dlq-headers';

/** Where DLQ records go and how they are bounded. */
export interface DlqTarget {
  publisher: Publisher;
  /** The DLQ topic (default `dlq`). */
  topic: string;
  /** Its partition count. */
  partitions: number;
  /** Bound of the stored error message in UTF-8 bytes (default and most: 255, a header value's limit). */
  maxErrorMessageBytes?: number;
  logger?: Logger;
  metrics?: Metrics;
}

/**
 * The DLQ partition of a record: the tenant's hash when the message names a tenant (so one
 * tenant's dead letters stay in failure order), else the source partition folded into range.
 */
export function dlqPartition(
  headers: MessageHeaders,
  sourcePartition: number,
  partitions: number,
): number {
  const tenant = headerString(headers, HeaderNames.TENANT_ID);
  return tenant !== undefined ? tenantPartition(tenant, partitions) : sourcePartition % partitions;
}

/** A readable id for logs/receipts: the UUID when the message id is one, else the number. */
export function eventIdOf(id: bigint): string {
  try {
    return messageIdToUuid(id);
  } catch {
    return id.toString();
  }
}

/** Builds the DLQ record of a failed message: original bytes and headers plus failure metadata. */
export function buildDeadLetter(input: DeadLetterInput, maxErrorBytes: number): OutgoingMessage {
  const headers: MessageHeaders = originalHeaders(input.message.headers);
  headers[DlqHeaders.KIND] = textHeader('entry');
  headers[DlqHeaders.SOURCE_TOPIC] = textHeader(input.sourceTopic);
  headers[DlqHeaders.SOURCE_PARTITION] = textHeader(input.partition);
  headers[DlqHeaders.SOURCE_OFFSET] = textHeader(input.offset);
  headers[DlqHeaders.GROUP] = textHeader(input.group);
  headers[DlqHeaders.ERROR_CODE] = textHeader(input.error.code);
  headers[DlqHeaders.ERROR_MESSAGE] = textHeader(truncateUtf8(input.error.message, maxErrorBytes));
  headers[DlqHeaders.ATTEMPTS] = textHeader(input.attempts);
  headers[DlqHeaders.FIRST_FAILURE_AT] = textHeader(input.firstFailureAt.toISOString());
  headers[DlqHeaders.LAST_FAILURE_AT] = textHeader(input.lastFailureAt.toISOString());
  if (input.message.rawHeaders !== undefined) {
    headers[DlqHeaders.RAW_HEADERS] = { kind: 'raw', value: input.message.rawHeaders };
  }
  return { id: input.message.id, payload: input.message.payload, headers };
}

/** Returns the `deadLetter` function the consumer engine calls: appends one entry to the DLQ. */
export function createDeadLetterWriter(target: DlqTarget): (input: DeadLetterInput) => Promise<void> {
  const maxErrorBytes = target.maxErrorMessageBytes ?? MAX_ERROR_MESSAGE_BYTES;
  const logger = target.logger ?? noopLogger;
  const metrics = target.metrics ?? noopMetrics;
  return async (input) => {
    const message = buildDeadLetter(input, maxErrorBytes);
    const partition = dlqPartition(input.message.headers, input.partition, target.partitions);
    const receipt = await target.publisher.publish(target.topic, partition, {
      eventId: eventIdOf(input.message.id),
      message,
      bytes: messageSize(message),
    });
    metrics.increment('rustok.iggy.dlq.entries', 1, {
      topic: input.sourceTopic,
      group: input.group,
      code: input.error.code,
    });
    logger.warn('event dead-lettered', {
      group: input.group,
      sourceTopic: input.sourceTopic,
      partition: input.partition,
      offset: input.offset.toString(),
      code: input.error.code,
      attempts: input.attempts,
      entryId: `${partition}:${receipt.offset}`,
    });
  };
}
