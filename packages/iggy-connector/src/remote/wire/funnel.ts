import { FrameCommand, HEADER_SIZE, HeaderOffset } from './constants';
import { iggyError, protocolError } from './errors';
import { evictionError } from './eviction';
import { decodeEvictionHeader, decodeReplyHeader, type EvictionHeader, type ReplyHeader } from './header';
import { isKnownReplyOperation, isResultFramed } from './operations';

/** A server frame after classification by its command byte. */
export type ServerFrame =
  | { kind: 'reply'; header: ReplyHeader; body: Buffer }
  | { kind: 'eviction'; header: EvictionHeader };

/**
 * Classifies a complete server frame by its command byte (spec §2.5 steps 1–3): Reply or
 * Eviction; anything else, a short frame or a size mismatch is a `PROTOCOL` error.
 */
export function classifyFrame(frame: Buffer): ServerFrame {
  if (frame.length < HEADER_SIZE) {
    throw protocolError(`frame of ${frame.length} bytes is shorter than a header`, { iggyCode: 304 });
  }
  const command = frame.readUInt8(HeaderOffset.command);
  if (command === FrameCommand.Eviction) return { kind: 'eviction', header: decodeEvictionHeader(frame) };
  if (command !== FrameCommand.Reply) throw protocolError(`unexpected frame command ${command}`);
  return { kind: 'reply', header: decodeReplyHeader(frame), body: frame.subarray(HEADER_SIZE) };
}

/**
 * Strips the result section `[count u32]{index u32, result u32}×count`: count 0 → the payload
 * after it; count ≥ 1 → the typed error of the first result; too short → `PROTOCOL`.
 */
export function stripResultSection(body: Buffer, context?: string): Buffer {
  if (body.length < 4) throw protocolError('result section is truncated');
  const count = body.readUInt32LE(0);
  if (count === 0) return body.subarray(4);
  if (body.length < 4 + count * 8) throw protocolError(`result section claims ${count} entries but is truncated`);
  throw iggyError(body.readUInt32LE(8), context);
}

/**
 * The reply decode funnel (spec §2.5 steps 4–6) for a classified frame: an eviction becomes its
 * typed error; a non-zero status the mapped Iggy error; an unknown operation `PROTOCOL`; and a
 * result-framed body is stripped. Returns the payload.
 */
export function replyPayload(frame: ServerFrame, context?: string): Buffer {
  if (frame.kind === 'eviction') throw evictionError(frame.header, context);
  const { header, body } = frame;
  if (header.status !== 0) throw iggyError(header.status, context);
  if (!isKnownReplyOperation(header.operation)) {
    throw protocolError(`reply carries unknown operation ${header.operation}`);
  }
  return isResultFramed(header.operation, body.length) ? stripResultSection(body, context) : body;
}

/** Classifies and decodes one frame in one step (`classifyFrame` then `replyPayload`). */
export function decodeReply(frame: Buffer, context?: string): Buffer {
  return replyPayload(classifyFrame(frame), context);
}
