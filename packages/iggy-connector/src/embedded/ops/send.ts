import { randomBytes } from 'node:crypto';
import { ValidationError } from '@rustok/core';
import { headerBytesForSend } from '../../headers/codec';
import { payloadByteLength } from '../../payload';
import type { OutgoingMessage, SendResult } from '../../types';
import type { Engine } from '../engine';
import type { AppendRecord } from '../log/types';
import { validateMessageId, validateName, validatePartitionNumber } from '../validate';

/** The encoding of no headers (shared: appends only copy header bytes). */
const NO_HEADERS = Buffer.alloc(0);

/**
 * Appends `messages` to one partition atomically and in order; resolves once written to the
 * OS. The whole batch is validated before anything is written.
 */
export async function send(
  engine: Engine,
  stream: string,
  topic: string,
  partition: number,
  messages: readonly OutgoingMessage[],
): Promise<SendResult> {
  validateName('stream', stream);
  validateName('topic', topic);
  validatePartitionNumber(partition);
  const records = toRecords(engine, messages);
  const { runtime } = engine.readyTopic(stream, topic) ?? (await engine.topicByName(stream, topic));
  const log = runtime.log(partition);
  const started = performance.now();
  const { baseOffset } = await log.append(records);
  const labels = { topic };
  engine.metrics.increment('iggy.embedded.send.messages', records.length, labels);
  engine.metrics.observe('iggy.embedded.send.latency_ms', performance.now() - started, labels);
  return { baseOffset };
}

/**
 * Validates a batch and turns it into append records: at least one message; payloads (bytes, or
 * strings counted as UTF-8) of 1..maxPayloadBytes; encoded headers within maxHeadersBytes; ids
 * absent or 0n minted.
 */
function toRecords(engine: Engine, messages: readonly OutgoingMessage[]): AppendRecord[] {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new ValidationError('send needs at least one message', { details: { field: 'messages' } });
  }
  const { maxPayloadBytes, maxHeadersBytes } = engine.options;
  const originTimestamp = engine.clock.nowMicros();
  return messages.map((message, index) => {
    const payload = message?.payload;
    const text = typeof payload === 'string';
    if (!text && !(payload instanceof Uint8Array)) {
      throw new ValidationError(`message ${index}: payload must be a Uint8Array or a string`, {
        details: { field: 'payload', index },
      });
    }
    const bytes = payloadByteLength(payload);
    if (bytes === 0 || bytes > maxPayloadBytes) {
      throw new ValidationError(`message ${index}: payload must be 1..${maxPayloadBytes} bytes, got ${bytes}`, {
        details: { field: 'payload', index, bytes, max: maxPayloadBytes },
      });
    }
    const headers = message.headers === undefined ? NO_HEADERS : headerBytesForSend(message.headers);
    if (headers.length > maxHeadersBytes) {
      throw new ValidationError(
        `message ${index}: headers must be at most ${maxHeadersBytes} bytes, got ${headers.length}`,
        { details: { field: 'headers', index, bytes: headers.length, max: maxHeadersBytes } },
      );
    }
    const id = message.id === undefined ? 0n : validateMessageId(message.id);
    const record: AppendRecord = { id: id === 0n ? randomU128() : id, originTimestamp, payload, headers };
    if (text) record.payloadBytes = bytes;
    return record;
  });
}

/** A random non-zero u128. */
function randomU128(): bigint {
  for (;;) {
    const id = BigInt(`0x${randomBytes(16).toString('hex')}`);
    if (id !== 0n) return id;
  }
}
