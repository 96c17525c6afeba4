import {
  type EventEnvelope,
  isRustokError,
  type Logger,
  NotFoundError,
  noopLogger,
  ValidationError,
} from '@rustok/core';
import type { IggyConnector, PolledMessage } from '@rustok/iggy-connector';
import { readEventHeaders } from '../codec/headers';
import { tenantPartition } from '../partitioning/tenant-partition';
import { type ScanStart, scanPartition } from '../reading/scan-partition';
import { type ReplayOptions, ReplayOptionsSchema, type ResolvedReplayOptions } from './options';

/** One replayed event and where it sits in the log. */
export interface ReplayedEvent {
  event: EventEnvelope;
  topic: string;
  partition: number;
  offset: bigint;
  /** Broker append time, µs. */
  timestamp: bigint;
}

/** What `replay` needs from its transport. */
export interface ReplayDeps {
  connector: IggyConnector;
  stream: string;
  decode(message: PolledMessage, topic: string): EventEnvelope;
  logger?: Logger;
}

/** Parses replay options, turning zod issues into a `VALIDATION` error. */
export function parseReplayOptions(input: ReplayOptions): ResolvedReplayOptions {
  const result = ReplayOptionsSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  throw new ValidationError(`invalid replay options: ${field ? `${field}: ` : ''}${issue?.message}`, {
    details: { field },
    cause: result.error,
  });
}

function headerSaysSkip(message: PolledMessage, options: ResolvedReplayOptions): boolean {
  const h = readEventHeaders(message.headers);
  if (options.tenantId !== undefined && h.tenantId !== undefined && h.tenantId !== options.tenantId) {
    return true;
  }
  return options.types !== undefined && h.eventType !== undefined && !options.types.includes(h.eventType);
}

function envelopeSaysSkip(event: EventEnvelope, options: ResolvedReplayOptions): boolean {
  if (options.tenantId !== undefined && event.tenantId !== options.tenantId) return true;
  if (options.types !== undefined && !options.types.includes(event.type)) return true;
  if (options.occurredAfter !== undefined) {
    return !(new Date(event.occurredAt).getTime() > options.occurredAfter.getTime());
  }
  return false;
}

/**
 * Reads a topic from a position and yields decoded events with their positions, one partition
 * after the other, each in offset order. Uses a throwaway standalone consumer with explicit
 * offsets and never stores an offset, so no consumer group is affected. Tenant and type filters
 * use headers, so skipped messages are never decoded.
 */
export async function* replay(
  deps: ReplayDeps,
  input: ReplayOptions,
): AsyncGenerator<ReplayedEvent, void, undefined> {
  const options = parseReplayOptions(input);
  const info = await deps.connector.getTopic(deps.stream, options.topic);
  if (!info) {
    throw new NotFoundError(`topic ${deps.stream}/${options.topic} does not exist`, {
      details: { topic: options.topic },
    });
  }
  let partitions = options.partitions ?? Array.from({ length: info.partitions }, (_, i) => i);
  if (options.tenantId !== undefined && options.partitions === undefined) {
    partitions = [tenantPartition(options.tenantId, info.partitions)];
  }
  const start: ScanStart =
    options.from === 'earliest'
      ? { kind: 'first' }
      : 'offset' in options.from
        ? { kind: 'offset', value: options.from.offset }
        : { kind: 'timestamp', value: options.from.timestamp };
  const to = options.to;
  for (const partition of partitions) {
    if (partition >= info.partitions) {
      throw new ValidationError(`topic ${options.topic} has no partition ${partition}`, {
        details: { field: 'partitions' },
      });
    }
    const scan = scanPartition(deps.connector, deps.stream, options.topic, partition, {
      start,
      batchSize: options.batchSize,
      ...(to !== undefined && 'offset' in to ? { endOffset: to.offset } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const message of scan) {
      if (to !== undefined && 'timestamp' in to && message.timestamp > to.timestamp) break;
      if (headerSaysSkip(message, options)) continue;
      let event: EventEnvelope;
      try {
        event = deps.decode(message, options.topic);
      } catch (error) {
        if (options.onDecodeError === 'skip' && isRustokError(error)) {
          (deps.logger ?? noopLogger).warn('replay skipped an undecodable message', {
            topic: options.topic,
            partition,
            offset: message.offset.toString(),
            code: error.code,
          });
          continue;
        }
        throw error;
      }
      if (envelopeSaysSkip(event, options)) continue;
      yield { event, topic: options.topic, partition, offset: message.offset, timestamp: message.timestamp };
    }
  }
}
