import { isRustokError } from '@rustok/core';
import { describe, expect, it } from 'vitest';
import { decodeResponse, encodeResponse, pollMessages, pollMessagesFlat } from './commands/index';

const batch = (baseOffset: bigint, frames: { id: bigint; delta: number; ts: number; payload: string; headers?: string }[]) => ({
  partitionId: 3n,
  baseOffset,
  baseTimestamp: 5_000n + baseOffset,
  originTimestamp: 1_000n,
  frames: frames.map((f) => ({
    id: f.id,
    offsetDelta: f.delta,
    timestampDelta: f.ts,
    payload: Buffer.from(f.payload),
    headers: Buffer.from(f.headers ?? ''),
  })),
});

describe('pollMessagesFlat (poll replies decoded straight into messages)', () => {
  const reply = {
    partitionId: 3,
    currentOffset: 104n,
    messagesCount: 4,
    batches: [
      // A server-sliced view: the first frame's offset delta need not be 0.
      batch(100n, [
        { id: 7n, delta: 1, ts: 0, payload: 'a' },
        { id: (1n << 100n) + 8n, delta: 2, ts: 50, payload: 'bb', headers: 'raw-header-bytes' },
      ]),
      batch(103n, [
        { id: 9n, delta: 0, ts: 0, payload: 'ccc' },
        { id: 10n, delta: 1, ts: 7, payload: 'dddd' },
      ]),
    ],
  };

  it('gives offset = base + delta, the record timestamp, origin + delta, views of payload and headers', () => {
    const flat = decodeResponse(pollMessagesFlat, encodeResponse(pollMessages, reply));
    expect(flat).toMatchObject({ partitionId: 3, currentOffset: 104n, messagesCount: 4 });
    expect(
      flat.messages.map((m) => ({
        id: m.id,
        offset: m.offset,
        timestamp: m.timestamp,
        origin: m.originTimestamp,
        payload: m.payload.toString(),
        headers: m.headers.toString(),
      })),
    ).toEqual([
      { id: 7n, offset: 101n, timestamp: 5_100n, origin: 1_000n, payload: 'a', headers: '' },
      { id: (1n << 100n) + 8n, offset: 102n, timestamp: 5_100n, origin: 1_050n, payload: 'bb', headers: 'raw-header-bytes' },
      { id: 9n, offset: 103n, timestamp: 5_103n, origin: 1_000n, payload: 'ccc', headers: '' },
      { id: 10n, offset: 104n, timestamp: 5_103n, origin: 1_007n, payload: 'dddd', headers: '' },
    ]);
    expect(Buffer.isBuffer(flat.messages[0]!.payload)).toBe(true);
  });

  it('an empty poll is 16 bytes and no messages', () => {
    const flat = decodeResponse(pollMessagesFlat, encodeResponse(pollMessages, { ...reply, messagesCount: 0, batches: [] }));
    expect(flat.messages).toEqual([]);
  });

  it('records or frames that do not tile are PROTOCOL errors', () => {
    const bytes = encodeResponse(pollMessages, reply);
    for (const broken of [bytes.subarray(0, bytes.length - 1), Buffer.concat([bytes, Buffer.alloc(10)])]) {
      let error: unknown;
      try {
        decodeResponse(pollMessagesFlat, broken);
      } catch (e) {
        error = e;
      }
      expect(isRustokError(error) && error.code).toBe('PROTOCOL');
    }
  });

  it('re-encodes to a reply the batch decoder reads back to the same messages', () => {
    const flat = decodeResponse(pollMessagesFlat, encodeResponse(pollMessages, reply));
    const again = decodeResponse(pollMessagesFlat, encodeResponse(pollMessagesFlat, flat));
    expect(again).toEqual(flat);
  });
});
