import {
  ClosedError,
  ConnectionError,
  ErrorCodes,
  isRustokError,
  type Logger,
  type Metrics,
  noopLogger,
  noopMetrics,
  type RustokError,
  safeLogger,
  safeMetrics,
  TimeoutError,
} from '@rustok/core';
import {
  decodeResponse,
  encodeRequest,
  getClusterMetadata,
  loginRegister,
  loginRegisterWithPat,
  logout,
  NODE_ROLE_LEADER,
  NODE_STATUS_HEALTHY,
  ping,
  type WireCommand,
} from '../wire/commands/index';
import { isTransientCode, protocolError } from '../wire/errors';
import { evictionError, evictionReasonName, incompatibleProtocolError } from '../wire/eviction';
import { replyPayload } from '../wire/funnel';
import { type EvictionHeader, encodeRequestFrame, type RequestHeader, writeRequestHeader } from '../wire/header';
import { CLIENT_PROTOCOL, formatVersion, isCompatible, packVersion, SDK_NAME, SDK_VERSION } from '../wire/version';
import { backoffDelay } from './backoff';
import { dial, formatAddress } from './dial';
import { FrameSocket } from './frame-socket';
import { type IggyClientHooks, type IggyClientOptions, type IggyClientOptionsInput, IggyClientOptionsSchema } from './options';
import { parseOptions } from '../parse-options';
import { SerialQueue } from './serial-queue';
import { SessionState } from './session-state';

/** What the server told us at login. */
export interface ServerInfo {
  /** Address of the node this session is on. */
  address: string;
  /** The server's product version, e.g. `0.9.0`. */
  serverVersion: string;
  /** The server's protocol version, e.g. `0.11.0`. */
  protocol: string;
  userId: number;
  session: bigint;
}

/** Per-call options. */
export interface CallOptions {
  /** Overrides the client's request timeout for this call. */
  timeoutMs?: number;
}

/** Errors after which reconnecting with the same settings cannot help. */
const FATAL_CODES: readonly string[] = [ErrorCodes.AUTH_FAILED, ErrorCodes.INCOMPATIBLE_SERVER, ErrorCodes.VALIDATION];

function isFatal(error: unknown): boolean {
  return isRustokError(error) && FATAL_CODES.includes(error.code);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref();
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Resolves with `promise`, or rejects with `TIMEOUT` once `deadline` (epoch ms) passes. */
function beforeDeadline<T>(promise: Promise<T>, deadline: number, what: string): Promise<T> {
  const remaining = deadline - Date.now();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new TimeoutError(`${what}: no connection to the server within the request budget`)),
      Math.max(remaining, 0),
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * One logical connection to an Iggy server: it dials the addresses in order, logs in (password
 * or token) with the version handshake, follows the cluster leader, and keeps exactly one
 * request in flight. Transient answers (57/58) are resent with identical bytes; a request
 * without a reply in time drops the connection with `TIMEOUT`; an eviction ends the session.
 * After a lost connection it reconnects in the background with capped, jittered exponential
 * backoff and logs in again (a new session: `onSessionLost`, then `onSessionReady`).
 * Heartbeat pings run on an unref'd timer whenever the connection has been idle.
 */
export class IggyClient implements AsyncDisposable {
  readonly #options: IggyClientOptions;
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  readonly #random: () => number;
  readonly #queue = new SerialQueue();
  readonly #state = new SessionState();
  readonly #lost = new Set<(error: RustokError | undefined) => void>();
  readonly #ready = new Set<(info: ServerInfo, reconnected: boolean) => void>();
  readonly #closing = new AbortController();
  #socket: FrameSocket | undefined;
  #server: ServerInfo | undefined;
  #establishing: Promise<void> | undefined;
  #fatal: RustokError | undefined;
  #lastError: RustokError | undefined;
  #everConnected = false;
  #lastActivity = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  /** Client id of a session lost with its connection, still to be logged out (see `releaseLostSession`). */
  #lostClient: bigint | undefined;
  #evicted = false;
  #closed = false;

  /** Creates a client; nothing is dialled until `connect()` or the first call. */
  constructor(options: IggyClientOptionsInput, hooks: IggyClientHooks = {}) {
    this.#options = parseOptions(IggyClientOptionsSchema, options, 'Iggy client options');
    this.#logger = safeLogger(hooks.logger ?? noopLogger);
    this.#metrics = safeMetrics(hooks.metrics ?? noopMetrics);
    this.#random = hooks.random ?? Math.random;
  }

  /** True while a logged-in connection is up. */
  get connected(): boolean {
    return this.#socket?.alive === true && this.#server !== undefined;
  }

  /** What the server reported at the last login (undefined while disconnected). */
  get server(): ServerInfo | undefined {
    return this.#server;
  }

  /** The client id of the current session (the identity of group membership). */
  get clientId(): bigint {
    return this.#state.client;
  }

  /** The last connection-level error, if any. */
  get lastError(): RustokError | undefined {
    return this.#lastError;
  }

  /** Calls `listener` whenever an established session ends (not on `close()`); returns an unsubscribe. */
  onSessionLost(listener: (error: RustokError | undefined) => void): () => void {
    this.#lost.add(listener);
    return () => this.#lost.delete(listener);
  }

  /** Calls `listener` after every successful login (`reconnected` after the first); returns an unsubscribe. */
  onSessionReady(listener: (info: ServerInfo, reconnected: boolean) => void): () => void {
    this.#ready.add(listener);
    return () => this.#ready.delete(listener);
  }

  /**
   * Connects and logs in if not connected: one pass over the addresses (no backoff). Throws
   * `AUTH_FAILED`, `INCOMPATIBLE_SERVER` or `CONNECTION`. Idempotent.
   */
  async connect(): Promise<void> {
    if (this.#closed) throw new ClosedError('the Iggy client is closed');
    if (this.connected) return;
    this.#fatal = undefined;
    if (!this.#establishing) this.#establishing = this.#track(this.#establishOnce());
    await this.#establishing;
  }

  /**
   * Sends one command and returns its decoded response. Requests are serialised; the call
   * waits for a reconnect when the connection is down (within its timeout).
   */
  call<Req, Res>(command: WireCommand<Req, Res>, args: Req, options: CallOptions = {}): Promise<Res> {
    if (this.#closed) return Promise.reject(new ClosedError('the Iggy client is closed'));
    let body: Buffer;
    try {
      body = encodeRequest(command, args);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#send(command, options, (header) => encodeRequestFrame(header, body));
  }

  /**
   * Like `call`, for a request frame built in advance (e.g. `encodeSendMessagesFrame`): its
   * first 256 bytes are overwritten with the request header when the request is sent, so the
   * body is never copied again.
   */
  callFrame<Req, Res>(command: WireCommand<Req, Res>, frame: Buffer, options: CallOptions = {}): Promise<Res> {
    if (this.#closed) return Promise.reject(new ClosedError('the Iggy client is closed'));
    return this.#send(command, options, (header) => {
      writeRequestHeader(frame, header);
      return frame;
    });
  }

  /** Queues one request; `frameFor` builds its frame once the session's header is known. */
  #send<Req, Res>(
    command: WireCommand<Req, Res>,
    options: CallOptions,
    frameFor: (header: RequestHeader) => Buffer,
  ): Promise<Res> {
    const timeoutMs = options.timeoutMs ?? this.#options.requestTimeoutMs;
    return this.#queue.run(async () => {
      const started = Date.now();
      const deadline = started + timeoutMs;
      const socket = await this.#connection(deadline, command.name);
      const frame = frameFor(this.#state.header(command.operation, command.code));
      const payload = await this.#exchange(socket, frame, deadline, command.name, timeoutMs);
      const result = decodeResponse(command, payload);
      this.#metrics.observe('iggy.client.request_ms', Date.now() - started, { command: command.name });
      return result;
    });
  }

  /** Closes the connection and stops reconnecting and heartbeats. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    this.#stopHeartbeat();
    this.#socket?.destroy(new ClosedError('the Iggy client was closed'));
    this.#socket = undefined;
    this.#server = undefined;
    await this.#establishing?.catch(() => {});
    this.#lost.clear();
    this.#ready.clear();
  }

  /** Same as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Waits for a usable connection: the current one, or one being (re)established. */
  async #connection(deadline: number, what: string): Promise<FrameSocket> {
    for (;;) {
      if (this.#closed) throw new ClosedError('the Iggy client is closed');
      const socket = this.#socket;
      if (socket?.alive && this.#server) return socket;
      if (this.#fatal) throw this.#fatal;
      if (!this.#establishing) {
        const reconnect = this.#everConnected && this.#options.reconnect.enabled;
        this.#establishing = this.#track(reconnect ? this.#reconnectLoop() : this.#establishOnce());
      }
      await beforeDeadline(this.#establishing, deadline, what);
    }
  }

  /** Keeps `#establishing` set while `work` runs. */
  #track(work: Promise<void>): Promise<void> {
    const tracked = work.finally(() => {
      if (this.#establishing === tracked) this.#establishing = undefined;
    });
    tracked.catch(() => {});
    return tracked;
  }

  /** Writes `frame`, resending it unchanged after transient answers, and returns the payload. */
  async #exchange(socket: FrameSocket, frame: Buffer, deadline: number, what: string, budgetMs: number): Promise<Buffer> {
    for (let resends = 0; ; resends++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const error = new TimeoutError(`${what} got no final reply within ${budgetMs} ms; the connection was dropped`);
        socket.destroy(error);
        throw error;
      }
      const answer = await socket.exchange(frame, remaining, what);
      this.#lastActivity = Date.now();
      try {
        return replyPayload(answer, what);
      } catch (error) {
        const transient = isRustokError(error) && isTransientCode(error.iggyCode);
        const delay = this.#options.transientRetryDelayMs;
        if (transient && resends < this.#options.maxTransientRetries && Date.now() + delay < deadline) {
          this.#metrics.increment('iggy.client.transient_resends', 1, { command: what });
          await sleep(delay, this.#closing.signal);
          if (!socket.alive) throw new ConnectionError(`${what}: the connection was lost while resending`);
          continue;
        }
        throw error;
      }
    }
  }

  /** Reconnects with capped, jittered exponential backoff until it succeeds or is hopeless. */
  async #reconnectLoop(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const delay = backoffDelay(attempt, this.#options.reconnect, this.#random);
      this.#logger.info('reconnecting to Iggy', { client: this.#options.label, attempt: attempt + 1, delayMs: delay });
      await sleep(delay, this.#closing.signal);
      if (this.#closed) throw new ClosedError('the Iggy client is closed');
      try {
        await this.#establishOnce();
        this.#metrics.increment('iggy.client.reconnects', 1);
        return;
      } catch (error) {
        if (isFatal(error)) {
          this.#fatal = error as RustokError;
          this.#logger.error('giving up reconnecting to Iggy', { client: this.#options.label, error: String(error) });
          throw error;
        }
        this.#logger.warn('reconnect attempt failed', { client: this.#options.label, error: String(error) });
      }
    }
  }

  /** Tries every address once, in order. */
  async #establishOnce(): Promise<void> {
    const failures: string[] = [];
    let last: unknown;
    for (const address of this.#options.addresses) {
      if (this.#closed) throw new ClosedError('the Iggy client is closed');
      try {
        await this.#openAt(address, 0);
        return;
      } catch (error) {
        this.#lastError = isRustokError(error) ? error : undefined;
        if (isFatal(error)) throw error;
        last = error;
        failures.push(`${address}: ${(error as Error).message}`);
      }
    }
    const error = new ConnectionError(`cannot reach any Iggy server (${failures.join('; ')})`, {
      cause: last,
      details: { addresses: [...this.#options.addresses] },
    });
    this.#lastError = error;
    throw error;
  }

  /** Dials `address`, logs in and follows the leader (≤ `maxRedirects` hops). */
  async #openAt(address: string, hops: number): Promise<void> {
    const raw = await dial(address, this.#options.tls, this.#options.connectTimeoutMs);
    if (this.#lostClient !== undefined) await this.#releaseLostSession(address, this.#lostClient);
    const socket: FrameSocket = new FrameSocket(raw, address, this.#options.maxFrameBytes, {
      onEviction: (header, solicited) => this.#onEviction(socket, header, solicited),
      onClose: (error) => this.#onClosed(socket, error),
    });
    try {
      const info = await this.#login(socket);
      if (this.#options.followLeader && hops < this.#options.maxRedirects) {
        const leader = await this.#leaderAddress(socket);
        if (leader !== undefined && leader !== address) {
          this.#logger.info('following the cluster leader', { client: this.#options.label, from: address, to: leader });
          socket.destroy();
          return await this.#openAt(leader, hops + 1);
        }
      }
      if (this.#closed) throw new ClosedError('the Iggy client is closed');
      const reconnected = this.#everConnected;
      this.#socket = socket;
      this.#server = info;
      this.#everConnected = true;
      this.#lastError = undefined;
      this.#lastActivity = Date.now();
      this.#startHeartbeat();
      this.#logger.info('logged in to Iggy', {
        client: this.#options.label,
        address,
        serverVersion: info.serverVersion,
        protocol: info.protocol,
      });
      for (const listener of [...this.#ready]) listener(info, reconnected);
    } catch (error) {
      socket.destroy();
      throw error;
    }
  }

  /**
   * Logs the session of client id `client` out on a short extra connection (best effort), so a
   * server that kept it (e.g. across its restart) drops its group memberships. Logging in as
   * the same client id rebinds that client; the Logout then removes it.
   */
  async #releaseLostSession(address: string, client: bigint): Promise<void> {
    let socket: FrameSocket | undefined;
    try {
      const raw = await dial(address, this.#options.tls, this.#options.connectTimeoutMs);
      this.#lostClient = undefined;
      socket = new FrameSocket(raw, address, this.#options.maxFrameBytes, { onEviction: () => {}, onClose: () => {} });
      const state = new SessionState();
      state.beginRegister(client);
      await this.#login(socket, state);
      const timeout = this.#options.requestTimeoutMs;
      const frame = encodeRequestFrame(state.header(logout.operation, logout.code), Buffer.alloc(0));
      await this.#exchange(socket, frame, Date.now() + timeout, 'release lost session', timeout);
      this.#logger.info('logged out the session lost with the previous connection', { client: this.#options.label });
    } catch (error) {
      this.#logger.debug('the lost session could not be logged out (it is probably gone already)', {
        client: this.#options.label,
        error: String(error),
      });
    } finally {
      socket?.destroy();
    }
  }

  /** The login-register handshake (spec §5) on a fresh socket, for `state`'s client id. */
  async #login(socket: FrameSocket, state?: SessionState): Promise<ServerInfo> {
    const session = state ?? this.#state;
    if (!state) session.beginRegister();
    const credentials = this.#options.credentials;
    const prefix = { protocolVersion: packVersion(CLIENT_PROTOCOL), sdkName: SDK_NAME, sdkVersion: SDK_VERSION };
    const context = new Uint8Array(0);
    const command = credentials.kind === 'password' ? loginRegister : loginRegisterWithPat;
    const body =
      credentials.kind === 'password'
        ? encodeRequest(loginRegister, {
            ...prefix,
            username: credentials.username,
            password: Buffer.from(credentials.password.reveal(), 'utf8'),
            context,
          })
        : encodeRequest(loginRegisterWithPat, {
            ...prefix,
            token: Buffer.from(credentials.token.reveal(), 'utf8'),
            context,
          });
    const frame = encodeRequestFrame(session.header(command.operation, command.code), body);
    const timeout = this.#options.requestTimeoutMs;
    const payload = await this.#exchange(socket, frame, Date.now() + timeout, 'login', timeout);
    const reply = decodeResponse(loginRegister, payload);
    if (reply.session === 0n) throw protocolError('login reply carries session 0');
    if (!isCompatible(packVersion(CLIENT_PROTOCOL), reply.serverProtocol)) {
      throw incompatibleProtocolError(reply.serverProtocol, 0, 14003, reply.serverVersion);
    }
    session.bind(reply.session);
    return {
      address: socket.address,
      serverVersion: reply.serverVersion,
      protocol: formatVersion(reply.serverProtocol),
      userId: reply.userId,
      session: reply.session,
    };
  }

  /** The healthy leader's address when the cluster has several nodes (best effort). */
  async #leaderAddress(socket: FrameSocket): Promise<string | undefined> {
    try {
      const frame = encodeRequestFrame(
        this.#state.header(getClusterMetadata.operation, getClusterMetadata.code),
        Buffer.alloc(0),
      );
      const timeout = this.#options.requestTimeoutMs;
      const payload = await this.#exchange(socket, frame, Date.now() + timeout, 'GetClusterMetadata', timeout);
      const metadata = decodeResponse(getClusterMetadata, payload);
      if (metadata.nodes.length <= 1) return undefined;
      const leader = metadata.nodes.find((n) => n.role === NODE_ROLE_LEADER && n.status === NODE_STATUS_HEALTHY);
      return leader ? formatAddress(leader.ip, leader.tcpPort) : undefined;
    } catch (error) {
      if (!socket.alive) throw error;
      this.#logger.debug('cluster metadata unavailable; staying on this node', { error: String(error) });
      return undefined;
    }
  }

  #onEviction(socket: FrameSocket, header: EvictionHeader, solicited: boolean): void {
    const error = evictionError(header);
    // The server ended this session itself: there is nothing left to log out.
    if (socket === this.#socket) this.#evicted = true;
    this.#lastError = error;
    this.#logger.warn('Iggy evicted the session', {
      client: this.#options.label,
      reason: evictionReasonName(header.reason),
      solicited,
    });
    // An evicted session is dead; a fresh connection and login is the only safe way on.
    socket.destroy(error);
  }

  #onClosed(socket: FrameSocket, error: RustokError | undefined): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    const hadSession = this.#server !== undefined;
    const evicted = this.#evicted;
    this.#evicted = false;
    this.#server = undefined;
    if (hadSession && !evicted && this.#options.releaseLostSession) this.#lostClient = this.#state.client;
    this.#state.reset();
    this.#stopHeartbeat();
    if (this.#closed) return;
    if (error) this.#lastError = error;
    this.#logger.warn('connection to Iggy lost', { client: this.#options.label, error: String(error) });
    if (hadSession) for (const listener of [...this.#lost]) listener(error);
    if (this.#options.reconnect.enabled && !this.#establishing && !this.#fatal) {
      this.#establishing = this.#track(this.#reconnectLoop());
    }
  }

  #startHeartbeat(): void {
    this.#stopHeartbeat();
    const interval = this.#options.heartbeatIntervalMs;
    if (interval === 0) return;
    this.#heartbeat = setInterval(() => {
      if (!this.connected || this.#queue.pending > 0) return;
      if (Date.now() - this.#lastActivity < interval * 0.8) return;
      this.call(ping, undefined).catch((error: unknown) => {
        this.#logger.debug('heartbeat ping failed', { client: this.#options.label, error: String(error) });
      });
    }, interval);
    this.#heartbeat.unref();
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}
