import { randomBytes } from 'node:crypto';
import type { RequestHeader } from '../wire/header';
import { requestClass } from '../wire/operations';

/** A fresh random non-zero u128 client id. */
export function randomClientId(): bigint {
  for (;;) {
    const bytes = randomBytes(16);
    const id = bytes.readBigUInt64LE(0) | (bytes.readBigUInt64LE(8) << 64n);
    if (id !== 0n) return id;
  }
}

/**
 * Client id, bound session and request counter of one connection (spec §4). Register uses
 * request 0 / session 0 with a fresh client id; metadata ops and Logout take the next id;
 * NonReplicated and partition ops reuse the current counter without consuming it.
 */
export class SessionState {
  #client: bigint = randomClientId();
  #session = 0n;
  #counter = 1n;

  /** The client id (stable for one session). */
  get client(): bigint {
    return this.#client;
  }

  /** The bound session, 0n before login. */
  get session(): bigint {
    return this.#session;
  }

  /** True once a login bound a session. */
  get bound(): boolean {
    return this.#session !== 0n;
  }

  /**
   * Starts a login attempt: a fresh client id (or `client`, to log in again as an earlier
   * session's client), the counter back to 1, no session.
   */
  beginRegister(client?: bigint): void {
    this.#client = client ?? randomClientId();
    this.#session = 0n;
    this.#counter = 1n;
  }

  /** Binds the session a successful login returned. */
  bind(session: bigint): void {
    this.#session = session;
    this.#counter = 1n;
  }

  /** Forgets the session (disconnect, eviction, logout). */
  reset(): void {
    this.#session = 0n;
    this.#counter = 1n;
  }

  /** The header fields for a request of `operation` with command `code`. */
  header(operation: number, code: number): RequestHeader {
    const kind = requestClass(operation);
    if (kind === 'register') {
      return { client: this.#client, request: 0n, operation, session: 0n, code: 0 };
    }
    if (kind === 'non-replicated') {
      return { client: this.#client, request: this.#counter, operation, session: this.#session, code };
    }
    if (kind === 'partition') {
      return { client: this.#client, request: this.#counter, operation, session: this.#session, code: 0 };
    }
    const request = this.#counter;
    this.#counter += 1n;
    return { client: this.#client, request, operation, session: this.#session, code: 0 };
  }
}
