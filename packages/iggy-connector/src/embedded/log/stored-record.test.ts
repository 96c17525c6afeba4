import { describe, expect, it } from 'vitest';
import { decodeMessages, type ReadSink } from './batch-decoder';
import { encodeAppend, planAppend } from './batch-encoder';
import { byteViewOf, checkBatch } from './batch-format';
import { DecodedRecord } from './stored-record';
import type { AppendRecord } from './types';

const records: AppendRecord[] = [
  { id: (7n << 64n) | 9n, originTimestamp: 1_700_000_000_000_001n, payload: Buffer.from('first'), headers: Buffer.from([1, 2, 3]) },
  { id: 42n, originTimestamp: 5n, payload: Buffer.from('second!'), headers: Buffer.alloc(0) },
];

/** Encodes `records` at offset 10 and decodes them back from the encoded buffer. */
function roundTrip(): { out: DecodedRecord[]; bytes: Buffer } {
  const plan = planAppend(records, 1 << 20);
  const bv = byteViewOf(Buffer.allocUnsafeSlow(plan.totalBytes));
  encodeAppend(bv, plan, records, 10, 123, 0, 0, { lastIndexedPosition: -1, intervalBytes: 4096 });
  const check = checkBatch(bv, 0, plan.totalBytes, -1);
  if (check.status !== 'ok') throw new Error(check.status);
  const sink: ReadSink = { out: [], maxCount: 10, maxBytes: Number.POSITIVE_INFINITY, bytes: 0 };
  decodeMessages(bv, 0, check.info, 0, check.info.count, sink);
  return { out: sink.out as DecodedRecord[], bytes: bv.bytes };
}

describe('DecodedRecord', () => {
  it('materialises offset, id, origin timestamp and headers from the read buffer', () => {
    const { out } = roundTrip();
    expect(out.every((r) => r instanceof DecodedRecord)).toBe(true);
    expect(out.map((r) => [r.offset, r.id, r.originTimestamp, r.timestamp])).toEqual([
      [10n, (7n << 64n) | 9n, 1_700_000_000_000_001n, 123n],
      [11n, 42n, 5n, 123n],
    ]);
    expect(out.map((r) => r.payload.toString())).toEqual(['first', 'second!']);
    expect([...(out[0] as DecodedRecord).headers]).toEqual([1, 2, 3]);
    expect((out[1] as DecodedRecord).headers.length).toBe(0);
    // Reading a field twice gives the same value.
    expect((out[0] as DecodedRecord).id).toBe((out[0] as DecodedRecord).id);
  });

  it('shares memory with the read buffer instead of copying', () => {
    const { out, bytes } = roundTrip();
    const first = out[0] as DecodedRecord;
    expect(first.payload.buffer).toBe(bytes.buffer);
    expect(first.headers.buffer).toBe(bytes.buffer);
  });
});
