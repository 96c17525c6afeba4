import { isRustokError } from '@rustok/core';
import { describe, expect, it } from 'vitest';
import { encodeHeaders } from '../../headers/codec';
import { xxh3_64 } from './checksum';
import { encodeWith, identifier, optionsToEnd } from './codec';
import {
  batchChecksum,
  createStream,
  createTopic,
  decodeResponse,
  encodeRequest,
  loginRegister,
  pollMessages,
  sendMessages,
  storeConsumerOffset,
} from './commands/index';
import { CommandCode, Operation } from './constants';
import { decodeReply } from './funnel';
import { encodeEvictionFrame, encodeReplyFrame, encodeRequestFrame } from './header';
import { operationForCode } from './operations';
import { CLIENT_PROTOCOL, packVersion } from './version';

/** Parses `aa bb cc` hex (spaces optional) into bytes. */
function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

const ascii = (s: string) => Buffer.from(s, 'ascii');

/** Every non-zero byte of `buf` as `offset → value`. */
function nonZero(buf: Buffer): Record<number, number> {
  const out: Record<number, number> = {};
  buf.forEach((b, i) => {
    if (b !== 0) out[i] = b;
  });
  return out;
}

// Spec §12: every worked byte example, reproduced exactly.
describe('spec §12 worked byte examples', () => {
  it('row 1: Ping request header before login', () => {
    const frame = encodeRequestFrame(
      {
        client: 0x0123456789abcdef0011223344556677n,
        request: 1n,
        operation: operationForCode(CommandCode.Ping),
        session: 0n,
        code: CommandCode.Ping,
      },
      Buffer.alloc(0),
    );
    expect(frame.length).toBe(256);
    const client = [0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00, 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01];
    const expected: Record<number, number> = { 49: 0x01, 60: 0x05, 168: 0x01, 176: 0x02, 196: 0x01 };
    client.forEach((b, i) => {
      if (b !== 0) expected[128 + i] = b;
    });
    expect(nonZero(frame)).toEqual(expected);
    expect(frame.subarray(48, 52)).toEqual(hex('00 01 00 00'));
  });

  it('row 2: packed protocol version 0.11.0', () => {
    const packed = packVersion({ major: 0, minor: 11, patch: 0 });
    expect(packed).toBe(11264);
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32LE(packed);
    expect(bytes).toEqual(hex('00 2C 00 00'));
    expect(packVersion(CLIENT_PROTOCOL)).toBe(11264);
  });

  const login = (sdkName: string, sdkVersion: string) =>
    encodeRequest(loginRegister, {
      protocolVersion: 11264,
      sdkName,
      sdkVersion,
      username: 'iggy',
      password: ascii('iggy'),
      context: new Uint8Array(0),
    });

  it('row 3: LoginRegister body (node-sdk) and its header', () => {
    const body = login('node-sdk', '0.10.0-edge.4');
    expect(body).toEqual(
      hex(
        '00 2c 00 00  08 6e 6f 64 65 2d 73 64 6b  0d 30 2e 31 30 2e 30 2d 65 64 67 65 2e 34' +
          '04 69 67 67 79  04 69 67 67 79  00 00 00 00',
      ),
    );
    expect(body.length).toBe(41);
    const frame = encodeRequestFrame(
      { client: 5n, request: 0n, operation: loginRegister.operation, session: 0n, code: 0 },
      body,
    );
    expect(frame.subarray(48, 52)).toEqual(hex('29 01 00 00'));
    expect(frame[176]).toBe(Operation.Register);
    expect(frame.readBigUInt64LE(168)).toBe(0n);
    expect(frame.readBigUInt64LE(184)).toBe(0n);
    expect(frame[196]).toBe(0);
  });

  it('row 3b: LoginRegister body (ts-sdk)', () => {
    expect(login('ts-sdk', '0.1.0')).toEqual(
      hex('00 2c 00 00 06 74 73 2d 73 64 6b 05 30 2e 31 2e 30 04 69 67 67 79 04 69 67 67 79 00 00 00 00'),
    );
  });

  it('row 4: CreateStream "rustok" body, header and optional request checksum', () => {
    const body = encodeRequest(createStream, { name: 'rustok', options: {} });
    expect(body).toEqual(hex('06 72 75 73 74 6f 6b'));
    const checksum = xxh3_64(body);
    expect(checksum).toBe(0xc1cb002a8188f6c6n);
    const frame = encodeRequestFrame(
      { client: 9n, request: 1n, operation: createStream.operation, session: 42n, code: 0, requestChecksum: checksum },
      body,
    );
    expect(frame.subarray(48, 52)).toEqual(hex('07 01 00 00'));
    expect(frame[176]).toBe(0x80);
    expect(frame.readBigUInt64LE(168)).toBe(1n);
    expect(frame.readBigUInt64LE(184)).toBe(42n);
    expect(frame[196]).toBe(0);
    expect(frame.subarray(144, 152)).toEqual(hex('c6 f6 88 81 2a 00 cb c1'));
    expect(frame.subarray(152, 160)).toEqual(Buffer.alloc(8));
  });

  it('row 5: identifiers', () => {
    expect(encodeWith(identifier, 'rustok')).toEqual(hex('02 06 72 75 73 74 6f 6b'));
    expect(encodeWith(identifier, 0)).toEqual(hex('01 04 00 00 00 00'));
  });

  it('row 6: options block (cross-SDK golden)', () => {
    const block = encodeWith(optionsToEnd, {
      enforce_fsync: { kind: 'bool', value: true },
      segment_size: { kind: 'uint64', value: 1n << 30n },
    });
    expect(block).toEqual(
      Buffer.concat([
        hex('02 0d 00 00 00'),
        ascii('enforce_fsync'),
        hex('03 01 00 00 00 01'),
        hex('02 0c 00 00 00'),
        ascii('segment_size'),
        hex('0c 08 00 00 00 00 00 00 40 00 00 00 00'),
      ]),
    );
  });

  it('row 7: CreateTopic body with gzip and a 60 s expiry', () => {
    const body = encodeRequest(createTopic, {
      stream: 'rustok',
      partitionsCount: 3,
      name: 'orders',
      options: {
        compression_algorithm: { kind: 'string', value: 'gzip' },
        message_expiry: { kind: 'uint64', value: 60_000_000n },
      },
    });
    expect(body).toEqual(
      Buffer.concat([
        hex('02 06 72 75 73 74 6f 6b  03 00 00 00  06 6f 72 64 65 72 73  02 15 00 00 00'),
        ascii('compression_algorithm'),
        hex('02 04 00 00 00'),
        ascii('gzip'),
        hex('02 0e 00 00 00'),
        ascii('message_expiry'),
        hex('0c 08 00 00 00 00 87 93 03 00 00 00 00'),
      ]),
    );
    expect(body.length).toBe(86);
  });

  const goldenBatch = {
    partitionId: 0n,
    baseOffset: 0n,
    baseTimestamp: 0n,
    originTimestamp: 1000n,
    frames: [
      { id: 7n, offsetDelta: 0, timestampDelta: 0, payload: ascii('first-payload'), headers: new Uint8Array(0) },
      {
        id: 8n,
        offsetDelta: 1,
        timestampDelta: 50,
        payload: ascii('second-payload'),
        headers: ascii('user-header-bytes'),
      },
    ],
  };

  const goldenBatchBytes = Buffer.concat([
    Buffer.alloc(24),
    hex('e8 03 00 00 00 00 00 00  8c 01 00 00 00 00 00 00  a9 1f 38 c8 63 07 26 7c  02 00 00 00'),
    Buffer.alloc(204),
    hex('bf d2 b9 20 5a 75 96 75  07'),
    Buffer.alloc(15),
    hex('00 00 00 00  00 00 00 00  00 00 00 00  0d 00 00 00'),
    Buffer.alloc(8),
    ascii('first-payload'),
    hex('d6 6b 7e 1c 75 8e b7 c0  08'),
    Buffer.alloc(15),
    hex('01 00 00 00  32 00 00 00  11 00 00 00  0e 00 00 00'),
    Buffer.alloc(8),
    ascii('second-payload'),
    ascii('user-header-bytes'),
  ]);

  it('rows 8 and 9: SendMessages prefix and the Rust golden batch', () => {
    const body = encodeRequest(sendMessages, {
      stream: 1,
      topic: 2,
      partitioning: { kind: 'balanced' },
      batch: goldenBatch,
    });
    const prefix = hex('12 00 00 00  01 04 01 00 00 00  01 04 02 00 00 00  01 00  02 00 00 00');
    expect(body.subarray(0, prefix.length)).toEqual(prefix);
    const batch = body.subarray(prefix.length);
    expect(batch.length).toBe(396);
    expect(batch).toEqual(goldenBatchBytes);
  });

  it('row 10: PollMessages body (First, count 10)', () => {
    const body = encodeRequest(pollMessages, {
      consumer: { kind: 'consumer', id: 0 },
      stream: 0,
      topic: 0,
      partition: 0,
      strategy: { kind: 'first', value: 0n },
      count: 10,
      autoCommit: false,
    });
    expect(body).toEqual(
      hex(
        '01 01 04 00 00 00 00  01 04 00 00 00 00  01 04 00 00 00 00  01 00 00 00 00' +
          '03 00 00 00 00 00 00 00 00  0a 00 00 00  00',
      ),
    );
    expect(body.length).toBe(38);
  });

  it('row 11: StoreConsumerOffset body (offset 2, ack Quorum)', () => {
    const body = encodeRequest(storeConsumerOffset, {
      consumer: { kind: 'consumer', id: 0 },
      stream: 0,
      topic: 0,
      partition: 0,
      offset: 2n,
      ack: 1,
    });
    expect(body).toEqual(
      hex('01 01 04 00 00 00 00  01 04 00 00 00 00  01 04 00 00 00 00  01 00 00 00 00  02 00 00 00 00 00 00 00  01'),
    );
    expect(body.length).toBe(33);
  });

  it('row 12: login reply body decodes through the funnel', () => {
    const body = Buffer.concat([
      hex('00 00 00 00  00 00 00 00  01 00 00 00 00 00 00 00  00 2c 00 00  0c'),
      ascii('0.9.0-edge.5'),
    ]);
    expect(body.length).toBe(33);
    const payload = decodeReply(encodeReplyFrame({ operation: Operation.Register }, body));
    expect(decodeResponse(loginRegister, payload)).toEqual({
      userId: 0,
      session: 1n,
      serverProtocol: 11264,
      serverVersion: '0.9.0-edge.5',
    });
  });

  it('row 13: IncompatibleProtocol eviction', () => {
    const frame = encodeEvictionFrame({ client: 77n, serverProtocol: 11264, serverProtocolMin: 11264, reason: 14 });
    expect(frame.length).toBe(256);
    expect(nonZero(frame)).toEqual({ 49: 0x01, 60: 0x0d, 128: 77, 145: 0x2c, 149: 0x2c, 255: 0x0e });
    let error: unknown;
    try {
      decodeReply(frame);
    } catch (e) {
      error = e;
    }
    expect(isRustokError(error) && error.code).toBe('INCOMPATIBLE_SERVER');
    expect((error as { iggyCode: number }).iggyCode).toBe(14003);
    expect((error as Error).message).toContain('0.11.0');
  });

  it('row 14: the same batch polled back from partition 3 at offset 100', () => {
    const restamped = {
      ...goldenBatch,
      partitionId: 3n,
      baseOffset: 100n,
      baseTimestamp: 5000n,
      frames: goldenBatch.frames.map((f, i) => ({
        ...f,
        checksum: goldenBatchBytes.readBigUInt64LE(i === 0 ? 256 : 256 + 48 + 13),
      })),
    };
    const sum = batchChecksum(restamped);
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64LE(sum);
    expect(bytes).toEqual(hex('c9 68 26 b3 8a 8f ee d2'));
    // The poll reply: prefix, then the restamped record; messages flatten with base + delta.
    const record = Buffer.from(goldenBatchBytes);
    record.writeBigUInt64LE(3n, 0);
    record.writeBigUInt64LE(100n, 8);
    record.writeBigUInt64LE(5000n, 16);
    record.writeBigUInt64LE(sum, 40);
    const payload = Buffer.concat([hex('03 00 00 00  65 00 00 00 00 00 00 00  02 00 00 00'), record]);
    const reply = decodeResponse(pollMessages, payload);
    expect(reply.partitionId).toBe(3);
    expect(reply.currentOffset).toBe(101n);
    expect(reply.messagesCount).toBe(2);
    expect(reply.batches[0]?.checksum).toBe(sum);
    const frames = reply.batches[0]!.frames;
    expect(frames.map((f) => f.id)).toEqual([7n, 8n]);
    expect(Buffer.from(frames[1]!.headers).toString()).toBe('user-header-bytes');
  });

  it('row 15: one user header {foo: Int32 42}', () => {
    expect(encodeHeaders({ foo: { kind: 'int32', value: 42 } })).toEqual(
      hex('02 03 00 00 00 66 6f 6f  06 04 00 00 00 2a 00 00 00'),
    );
  });
});
