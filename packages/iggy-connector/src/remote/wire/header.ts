import { protocolError } from './errors';
import { FrameCommand, HEADER_SIZE, HeaderOffset as O } from './constants';

const MASK_64 = (1n << 64n) - 1n;

function writeU128(buf: Buffer, value: bigint, at: number): void {
  buf.writeBigUInt64LE(value & MASK_64, at);
  buf.writeBigUInt64LE((value >> 64n) & MASK_64, at + 8);
}

function readU128(buf: Buffer, at: number): bigint {
  return buf.readBigUInt64LE(at) | (buf.readBigUInt64LE(at + 8) << 64n);
}

/** The fields a client writes into a request header (spec §2.2). */
export interface RequestHeader {
  /** Client id, a non-zero u128. */
  client: bigint;
  /** Request id (0 for Register). */
  request: bigint;
  /** Operation byte. */
  operation: number;
  /** Bound session (0 before login). */
  session: bigint;
  /** Command code, carried at byte 196 only for NonReplicated requests (else 0). */
  code: number;
  /** Optional request checksum (u128; 0 = unstamped). */
  requestChecksum?: bigint;
}

/** A reply header (spec §2.3). */
export interface ReplyHeader {
  size: number;
  client: bigint;
  request: bigint;
  operation: number;
  status: number;
  op: bigint;
  commit: bigint;
  timestamp: bigint;
  requestChecksum: bigint;
}

/** An eviction header (spec §2.4). */
export interface EvictionHeader {
  client: bigint;
  reason: number;
  serverProtocol: number;
  serverProtocolMin: number;
}

/** Builds one request frame: the 256-byte header followed by `body`, in one buffer. */
export function encodeRequestFrame(header: RequestHeader, body: Uint8Array): Buffer {
  const frame = Buffer.alloc(HEADER_SIZE + body.byteLength);
  frame.set(body, HEADER_SIZE);
  writeRequestHeader(frame, header);
  return frame;
}

/**
 * Writes the request header into the first 256 bytes of `frame` (whose body already follows),
 * in place: every header byte is set, so the region may hold anything before. The size field
 * is the frame's length.
 */
export function writeRequestHeader(frame: Buffer, header: RequestHeader): void {
  if (frame.length < HEADER_SIZE) throw new RangeError(`a request frame needs at least ${HEADER_SIZE} bytes`);
  frame.fill(0, 0, HEADER_SIZE);
  frame.writeUInt32LE(frame.length, O.size);
  frame.writeUInt8(FrameCommand.Request, O.command);
  writeU128(frame, header.client, O.requestClient);
  writeU128(frame, header.requestChecksum ?? 0n, O.requestChecksum);
  frame.writeBigUInt64LE(header.request, O.requestId);
  frame.writeUInt8(header.operation, O.requestOperation);
  frame.writeBigUInt64LE(header.session, O.requestSession);
  frame.writeUInt32LE(header.code, O.requestCode);
}

/** Reads a request frame (used by test peers); throws `PROTOCOL` when it is not one. */
export function decodeRequestFrame(frame: Buffer): { header: RequestHeader; body: Buffer } {
  checkFrame(frame);
  const command = frame.readUInt8(O.command);
  if (command !== FrameCommand.Request) throw protocolError(`frame command ${command} is not Request (5)`);
  return {
    header: {
      client: readU128(frame, O.requestClient),
      requestChecksum: readU128(frame, O.requestChecksum),
      request: frame.readBigUInt64LE(O.requestId),
      operation: frame.readUInt8(O.requestOperation),
      session: frame.readBigUInt64LE(O.requestSession),
      code: frame.readUInt32LE(O.requestCode),
    },
    body: frame.subarray(HEADER_SIZE),
  };
}

/** Builds a reply frame (used by test peers). */
export function encodeReplyFrame(header: Partial<ReplyHeader> & { operation: number }, body: Uint8Array): Buffer {
  const frame = Buffer.alloc(HEADER_SIZE + body.byteLength);
  frame.writeUInt32LE(frame.length, O.size);
  frame.writeUInt8(FrameCommand.Reply, O.command);
  writeU128(frame, header.requestChecksum ?? 0n, O.replyRequestChecksum);
  writeU128(frame, header.client ?? 0n, O.replyClient);
  frame.writeBigUInt64LE(header.op ?? 0n, O.replyOp);
  frame.writeBigUInt64LE(header.commit ?? 0n, O.replyCommit);
  frame.writeBigUInt64LE(header.timestamp ?? 0n, O.replyTimestamp);
  frame.writeBigUInt64LE(header.request ?? 0n, O.replyRequestId);
  frame.writeUInt8(header.operation, O.replyOperation);
  frame.writeUInt32LE(header.status ?? 0, O.replyStatus);
  frame.set(body, HEADER_SIZE);
  return frame;
}

/** Reads the reply header fields (the frame's command byte must already be Reply). */
export function decodeReplyHeader(frame: Buffer): ReplyHeader {
  checkFrame(frame);
  return {
    size: frame.readUInt32LE(O.size),
    requestChecksum: readU128(frame, O.replyRequestChecksum),
    client: readU128(frame, O.replyClient),
    op: frame.readBigUInt64LE(O.replyOp),
    commit: frame.readBigUInt64LE(O.replyCommit),
    timestamp: frame.readBigUInt64LE(O.replyTimestamp),
    request: frame.readBigUInt64LE(O.replyRequestId),
    operation: frame.readUInt8(O.replyOperation),
    status: frame.readUInt32LE(O.replyStatus),
  };
}

/** Builds a 256-byte eviction frame (used by test peers). */
export function encodeEvictionFrame(header: EvictionHeader): Buffer {
  const frame = Buffer.alloc(HEADER_SIZE);
  frame.writeUInt32LE(HEADER_SIZE, O.size);
  frame.writeUInt8(FrameCommand.Eviction, O.command);
  writeU128(frame, header.client, O.evictionClient);
  frame.writeUInt32LE(header.serverProtocol >>> 0, O.evictionServerProtocol);
  frame.writeUInt32LE(header.serverProtocolMin >>> 0, O.evictionServerProtocolMin);
  frame.writeUInt8(header.reason, O.evictionReason);
  return frame;
}

/** Reads an eviction header (the frame's command byte must already be Eviction). */
export function decodeEvictionHeader(frame: Buffer): EvictionHeader {
  checkFrame(frame);
  return {
    client: readU128(frame, O.evictionClient),
    serverProtocol: frame.readUInt32LE(O.evictionServerProtocol),
    serverProtocolMin: frame.readUInt32LE(O.evictionServerProtocolMin),
    reason: frame.readUInt8(O.evictionReason),
  };
}

/** The frame kind byte (60) of a frame of at least 61 bytes. */
export function frameCommand(frame: Buffer): number {
  return frame.readUInt8(O.command);
}

/** Checks the header is complete and the declared size matches the bytes. */
function checkFrame(frame: Buffer): void {
  if (frame.length < HEADER_SIZE) throw protocolError(`frame of ${frame.length} bytes is shorter than a header`);
  const size = frame.readUInt32LE(O.size);
  if (size < HEADER_SIZE || size !== frame.length) {
    throw protocolError(`frame declares ${size} bytes but has ${frame.length}`);
  }
}
