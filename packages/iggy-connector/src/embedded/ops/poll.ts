import { ValidationError } from '@rustok/core';
import { decodeHeaders } from '../../headers/codec';
import type { PolledBatch, PolledMessage, PollOptions } from '../../types';
import { offsetKeyFor, validateConsumer } from '../consumers';
import type { Engine } from '../engine';
import type { StoredRecord } from '../log/types';
import { resolveStartOffset, validateStrategy } from '../poll/start-offset';
import { waitForAppend } from '../poll/wait-for-append';
import { validateCount, validateName, validateNonNegativeInt, validatePartitionNumber } from '../validate';
import { assertGroupExists, assertOwner } from './ownership';

/**
 * Reads from one partition with the given strategy. Past the end returns an empty batch; with
 * `waitMs` an empty read waits for an append (or `signal`, or close). Group polls need the
 * polling `member`, which must own the partition.
 */
export async function poll(
  engine: Engine,
  stream: string,
  topic: string,
  options: PollOptions,
): Promise<PolledBatch> {
  validateName('stream', stream);
  validateName('topic', topic);
  const consumer = validateConsumer(options?.consumer);
  const partition = validatePartitionNumber(options.partition);
  const strategy = validateStrategy(options.strategy);
  const count = validateCount(options.count);
  const waitMs = options.waitMs === undefined ? 0 : validateNonNegativeInt(options.waitMs, 'waitMs');
  if (consumer.kind === 'group' && consumer.member === undefined) {
    throw new ValidationError('a group poll needs the polling member', {
      details: { field: 'consumer.member' },
    });
  }
  const ref = { stream, topic, partition };
  const { runtime, topic: topicMeta } = engine.readyTopic(stream, topic) ?? (await engine.topicByName(stream, topic));
  const log = runtime.log(partition);
  if (consumer.kind === 'group') assertGroupExists(ref, topicMeta, consumer.name);
  const key = offsetKeyFor(consumer, partition);
  const deadline = performance.now() + waitMs;
  let records: StoredRecord[] = [];
  let lastRound = false;
  for (;;) {
    assertOwner(engine, consumer, runtime, ref);
    // An append that lands while the read is in progress must not be slept through.
    const knownNext = log.nextOffset;
    try {
      runtime.assertReadable(partition);
      const start = await resolveStartOffset(log, strategy, count, runtime.offsets.get(key));
      records = start === null ? [] : await log.read(start, count);
    } catch (error) {
      runtime.noteReadError(partition, error);
      engine.noteError(error);
      throw error;
    }
    const remaining = deadline - performance.now();
    if (records.length > 0 || lastRound || remaining <= 0 || options.signal?.aborted) break;
    if (runtime.closed.signal.aborted) break;
    if (log.nextOffset !== knownNext) continue;
    await waitForAppend(log, remaining, options.signal);
    // Topic deleted or connector closing: stop waiting and return what we have (nothing).
    if (runtime.closed.signal.aborted) break;
    // Aborted by the caller: one last read of whatever arrived, then return.
    lastRound = options.signal?.aborted === true;
  }
  const messages = records.map(toPolledMessage);
  if (options.autoCommit === true && messages.length > 0) {
    await runtime.offsets.store(key, messages[messages.length - 1]!.offset);
  }
  engine.metrics.increment('iggy.embedded.poll.messages', messages.length, { topic });
  return { partition, currentOffset: log.nextOffset - 1n, messages };
}

/** The public view of a stored record; header bytes that do not decode are exposed raw. */
function toPolledMessage(record: StoredRecord): PolledMessage {
  const message: PolledMessage = {
    id: record.id,
    offset: record.offset,
    timestamp: record.timestamp,
    originTimestamp: record.originTimestamp,
    payload: record.payload,
    headers: {},
  };
  if (record.headers.length > 0) {
    try {
      message.headers = decodeHeaders(record.headers);
    } catch {
      message.rawHeaders = new Uint8Array(record.headers);
    }
  }
  return message;
}
