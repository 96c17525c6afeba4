import { type Codec, encodeWith } from '../codec';
import { Reader, type Writer } from '../io';
import { operationForCode } from '../operations';

/**
 * One command of the binary protocol: its code, the operation byte derived from it, and codecs
 * for the request body and the response payload (both directions, so tests and test peers can
 * use them as well).
 */
export interface WireCommand<Req, Res> {
  readonly name: string;
  readonly code: number;
  readonly operation: number;
  readonly request: Codec<Req>;
  readonly response: Codec<Res>;
}

/** Defines a command; the operation byte comes from the code (spec §3). */
export function defineCommand<Req, Res>(
  name: string,
  code: number,
  request: Codec<Req>,
  response: Codec<Res>,
): WireCommand<Req, Res> {
  return Object.freeze({ name, code, operation: operationForCode(code), request, response });
}

/** Encodes a request body. */
export function encodeRequest<Req, Res>(command: WireCommand<Req, Res>, args: Req): Buffer {
  return encodeWith(command.request, args);
}

/** Decodes a request body (test peers); the whole body must be consumed. */
export function decodeRequest<Req, Res>(command: WireCommand<Req, Res>, body: Uint8Array): Req {
  const r = new Reader(body, `${command.name} request`);
  const value = command.request.read(r);
  r.end();
  return value;
}

/** Encodes a response payload (test peers). */
export function encodeResponse<Req, Res>(command: WireCommand<Req, Res>, value: Res): Buffer {
  return encodeWith(command.response, value);
}

/** Decodes a response payload; trailing bytes are a `PROTOCOL` error. */
export function decodeResponse<Req, Res>(command: WireCommand<Req, Res>, payload: Uint8Array): Res {
  const r = new Reader(payload, `${command.name} response`);
  const value = command.response.read(r);
  r.end();
  return value;
}

/** A codec for a fixed-layout value written by hand. */
export function custom<T>(write: (w: Writer, value: T) => void, read: (r: Reader) => T): Codec<T> {
  return { write, read };
}
