import { describe, expect, it } from 'vitest';
import { encodeHeaders } from '../../headers/codec';
import { decodeRequest, encodeRequest, encodeSendMessagesFrame, sendMessages } from './commands/index';
import { HEADER_SIZE } from './constants';
import { decodeRequestFrame, encodeRequestFrame, type RequestHeader, writeRequestHeader } from './header';

const header: RequestHeader = { client: 0x1234_5678_9abc_def0_1122_3344_5566_7788n, request: 3n, operation: 160, session: 9n, code: 0 };

describe('encodeSendMessagesFrame (the one-buffer send path)', () => {
  it('is byte-identical to the codec path for explicit ids, headers and a partition', () => {
    const items = [
      { id: 7n, payload: Buffer.from('first-payload'), headers: new Uint8Array(0) },
      {
        id: (1n << 127n) + 5n,
        payload: Buffer.from('second-payload'),
        headers: encodeHeaders({ 'content-type': { kind: 'string', value: 'application/json' } }),
      },
      { id: 1n, payload: Buffer.alloc(1500, 0xab), headers: new Uint8Array(0) },
    ];
    const fast = encodeSendMessagesFrame('rustok', 'domain', 5, 1_700_000_000_000_000n, items);
    writeRequestHeader(fast, header);
    const body = encodeRequest(sendMessages, {
      stream: 'rustok',
      topic: 'domain',
      partitioning: { kind: 'partition', id: 5 },
      batch: {
        partitionId: 0n,
        baseOffset: 0n,
        baseTimestamp: 0n,
        originTimestamp: 1_700_000_000_000_000n,
        frames: items.map((m, i) => ({ ...m, offsetDelta: i, timestampDelta: 0 })),
      },
    });
    expect(fast).toEqual(encodeRequestFrame(header, body));
  });

  it('mints distinct non-zero ids for id 0, and the batch verifies (checksums, tiling)', () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ id: 0n, payload: Buffer.from(`m${i}`), headers: new Uint8Array(0) }));
    const frame = encodeSendMessagesFrame(0, 1, 0, 42n, items);
    writeRequestHeader(frame, header);
    const { header: decodedHeader, body } = decodeRequestFrame(frame);
    expect(decodedHeader).toMatchObject({ client: header.client, request: 3n, session: 9n, operation: 160 });
    // The codec's decoder verifies every frame checksum and the batch checksum.
    const request = decodeRequest(sendMessages, body);
    const ids = request.batch.frames.map((f) => f.id);
    expect(ids.every((id) => id !== 0n)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(request.batch.frames.map((f) => Buffer.from(f.payload).toString())).toEqual(items.map((m) => m.payload.toString()));
    expect(request.partitioning).toEqual({ kind: 'partition', id: 0 });
  });

  it('writeRequestHeader overwrites whatever the header region held', () => {
    const frame = encodeSendMessagesFrame('s', 't', 0, 1n, [{ id: 1n, payload: Buffer.from('x'), headers: new Uint8Array(0) }]);
    frame.fill(0xff, 0, HEADER_SIZE);
    writeRequestHeader(frame, header);
    const clean = encodeSendMessagesFrame('s', 't', 0, 1n, [{ id: 1n, payload: Buffer.from('x'), headers: new Uint8Array(0) }]);
    writeRequestHeader(clean, header);
    expect(frame).toEqual(clean);
  });
  it('encodes into a dirty scratch buffer exactly as into a fresh one, and ignores a too-small one', () => {
    const items = [
      { id: 0n, payload: Buffer.alloc(300, 0x11), headers: new Uint8Array(0) },
      { id: 9n, payload: Buffer.from('tail'), headers: encodeHeaders({ k: { kind: 'string', value: 'v' } }) },
    ];
    const scratch = Buffer.alloc(4096, 0xff);
    const reused = encodeSendMessagesFrame('s', 't', 2, 5n, items, scratch);
    expect(reused.buffer).toBe(scratch.buffer);
    writeRequestHeader(reused, header);
    // Ids of 0 are random: decode and compare everything but the minted id.
    const decoded = decodeRequest(sendMessages, decodeRequestFrame(reused).body);
    expect(decoded.batch.frames.map((f) => [f.offsetDelta, f.timestampDelta, Buffer.from(f.payload)])).toEqual(
      items.map((m, i) => [i, 0, m.payload]),
    );
    const explicit = items.map((m, i) => ({ ...m, id: BigInt(i + 1) }));
    const viaScratch = encodeSendMessagesFrame('s', 't', 2, 5n, explicit, Buffer.alloc(4096, 0xee));
    const fresh = encodeSendMessagesFrame('s', 't', 2, 5n, explicit);
    writeRequestHeader(viaScratch, header);
    writeRequestHeader(fresh, header);
    expect(viaScratch).toEqual(fresh);
    const small = Buffer.alloc(16, 0xff);
    const grown = encodeSendMessagesFrame('s', 't', 2, 5n, explicit, small);
    expect(grown.buffer).not.toBe(small.buffer);
    writeRequestHeader(grown, header);
    expect(grown).toEqual(fresh);
  });

  it('checksums batches larger than the hasher window (in runs) to the reference', () => {
    // 5 × 1 MiB payloads: more than the 4 MiB the WebAssembly hasher takes at once.
    const items = Array.from({ length: 5 }, (_, i) => ({
      id: BigInt(i + 1),
      payload: Buffer.alloc(1 << 20, i + 1),
      headers: i === 2 ? encodeHeaders({ k: { kind: 'string', value: 'v' } }) : new Uint8Array(0),
    }));
    const big = encodeSendMessagesFrame('s', 't', 0, 7n, items);
    writeRequestHeader(big, header);
    const body = encodeRequest(sendMessages, {
      stream: 's',
      topic: 't',
      partitioning: { kind: 'partition', id: 0 },
      batch: {
        partitionId: 0n,
        baseOffset: 0n,
        baseTimestamp: 0n,
        originTimestamp: 7n,
        frames: items.map((m, i) => ({ ...m, offsetDelta: i, timestampDelta: 0 })),
      },
    });
    expect(big.equals(encodeRequestFrame(header, body))).toBe(true);
    // The decoder verifies each frame checksum and the batch checksum.
    expect(decodeRequest(sendMessages, decodeRequestFrame(big).body).batch.frames).toHaveLength(5);
  });
});
