import type { Socket } from 'node:net';
import { ConnectionError, type RustokError } from '@rustok/core';
import { protocolError, requestTimeout } from '../wire/errors';
import { classifyFrame, type ServerFrame } from '../wire/funnel';
import type { EvictionHeader } from '../wire/header';
import { FrameReader } from './frame-reader';

/** Callbacks of a `FrameSocket`. */
export interface FrameSocketEvents {
  /** An eviction arrived (as the answer to a request, or unsolicited). */
  onEviction(header: EvictionHeader, solicited: boolean): void;
  /** The socket is gone; `error` says why (undefined for a local, orderly close). */
  onClose(error: RustokError | undefined): void;
}

interface Pending {
  resolve(frame: ServerFrame): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * A socket speaking the 256-byte framing, with at most one request in flight. Frames are
 * demultiplexed by command byte: a reply answers the pending request, an eviction ends the
 * session (answering the pending request if any); an unsolicited reply, a malformed or
 * oversized frame drops the connection with `PROTOCOL`. A request that gets no answer within
 * its timeout drops the connection (a late reply would desynchronise framing) with `TIMEOUT`.
 */
export class FrameSocket {
  readonly #socket: Socket;
  readonly #reader: FrameReader;
  readonly #events: FrameSocketEvents;
  readonly address: string;
  #pending: Pending | undefined;
  #closed = false;

  /** Wraps a connected socket. */
  constructor(socket: Socket, address: string, maxFrameBytes: number, events: FrameSocketEvents) {
    this.#socket = socket;
    this.address = address;
    this.#reader = new FrameReader(maxFrameBytes);
    this.#events = events;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (error) =>
      this.destroy(new ConnectionError(`connection to ${address} failed: ${error.message}`, { cause: error })),
    );
    socket.on('close', () => this.destroy(new ConnectionError(`connection to ${address} was closed by the peer`)));
  }

  /** False once closed or failed. */
  get alive(): boolean {
    return !this.#closed;
  }

  /** Bytes received and not yet framed (for tests and diagnostics). */
  get buffered(): number {
    return this.#reader.buffered;
  }

  /**
   * Writes one request frame and resolves with the server's answer (reply or eviction).
   * `what` names the request in timeout errors.
   */
  exchange(frame: Buffer, timeoutMs: number, what: string): Promise<ServerFrame> {
    if (this.#closed) return Promise.reject(new ConnectionError(`connection to ${this.address} is closed`));
    if (this.#pending) return Promise.reject(protocolError('a request is already in flight on this connection'));
    return new Promise<ServerFrame>((resolve, reject) => {
      const timer = setTimeout(() => this.destroy(requestTimeout(what, timeoutMs)), timeoutMs);
      this.#pending = { resolve, reject, timer };
      this.#socket.write(frame);
    });
  }

  /** Closes the socket; the pending request (if any) rejects with `error` (default: closed). */
  destroy(error?: RustokError): void {
    if (this.#closed) return;
    this.#closed = true;
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.reject(error ?? new ConnectionError(`connection to ${this.address} was closed`));
    }
    this.#socket.destroy();
    this.#events.onClose(error);
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    let frames: Buffer[];
    try {
      frames = this.#reader.push(chunk);
    } catch (error) {
      this.destroy(error as RustokError);
      return;
    }
    for (const raw of frames) {
      if (this.#closed) return;
      let frame: ServerFrame;
      try {
        frame = classifyFrame(raw);
      } catch (error) {
        this.destroy(error as RustokError);
        return;
      }
      const pending = this.#pending;
      if (!pending && frame.kind === 'reply') {
        this.destroy(protocolError('the server sent a reply with no request outstanding'));
        return;
      }
      if (pending) {
        this.#pending = undefined;
        clearTimeout(pending.timer);
        pending.resolve(frame);
      }
      if (frame.kind === 'eviction') this.#events.onEviction(frame.header, pending !== undefined);
    }
  }
}
