import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { FrameReader } from '../../src/remote/connection/frame-reader';
import {
  decodeRequest,
  encodeResponse,
  getClusterMetadata,
  loginRegister,
  registerBody,
} from '../../src/remote/wire/commands/index';
import { CommandCode, Operation } from '../../src/remote/wire/constants';
import {
  decodeRequestFrame,
  encodeEvictionFrame,
  encodeReplyFrame,
  type RequestHeader,
} from '../../src/remote/wire/header';
import { isResultFramed } from '../../src/remote/wire/operations';
import { CLIENT_PROTOCOL, packVersion } from '../../src/remote/wire/version';
import { Reader } from '../../src/remote/wire/io';

/** One request as the peer received it. */
export interface PeerRequest {
  header: RequestHeader;
  body: Buffer;
  /** The exact bytes received (header + body). */
  frame: Buffer;
  /** The command code: byte 196 for NonReplicated, else derived from the operation. */
  code: number;
  /** Index of the connection it arrived on (0-based, in accept order). */
  connection: number;
}

/** What the peer does with one request. */
export type PeerAction =
  /** A reply: `body` is the payload (a result section is added for result-framed operations). */
  | { kind: 'reply'; body?: Uint8Array; status?: number; resultCode?: number; operation?: number }
  /** An eviction frame with `reason` (and the protocol window for reason 14). */
  | { kind: 'evict'; reason: number; serverProtocol?: number; serverProtocolMin?: number }
  /** Arbitrary bytes (malformed or oversized frames). */
  | { kind: 'raw'; bytes: Buffer }
  /** No answer at all. */
  | { kind: 'stall' }
  /** Close the connection. */
  | { kind: 'close' };

/** Decides the answer(s) to a request; `undefined` falls back to the default behaviour. */
export type PeerScript = (
  request: PeerRequest,
  peer: ScriptedPeer,
) => PeerAction | PeerAction[] | undefined | Promise<PeerAction | PeerAction[] | undefined>;

/** Settings of a scripted peer. */
export interface ScriptedPeerOptions {
  /** Accepted username/password pairs (default iggy/iggy). */
  users?: Record<string, string>;
  /** Accepted personal access tokens. */
  tokens?: string[];
  /** The server's packed protocol version (default 0.11.0). */
  serverProtocol?: number;
  /** The server's product version (default `0.9.0-scripted`). */
  serverVersion?: string;
  /** Cluster metadata nodes (default: none ⇒ a single node named after this peer). */
  clusterNodes?: () => { name: string; ip: string; tcpPort: number; role: number; status: number }[];
  /** Custom answers, tried before the defaults. */
  script?: PeerScript;
  /** Serve TLS with this key and certificate (PEM). */
  tls?: { key: Buffer; cert: Buffer };
}

/** Command codes carried by replicated operations (reverse of spec §3, for the ones tests use). */
const CODE_OF_OPERATION: Readonly<Record<number, number>> = {
  [Operation.Register]: CommandCode.LoginRegister,
  [Operation.Logout]: CommandCode.LogoutUser,
  [Operation.CreateStream]: CommandCode.CreateStream,
  [Operation.DeleteStream]: CommandCode.DeleteStream,
  [Operation.CreateTopic]: CommandCode.CreateTopic,
  [Operation.DeleteTopic]: CommandCode.DeleteTopic,
  [Operation.CreatePartitions]: CommandCode.CreatePartitions,
  [Operation.CreateConsumerGroup]: CommandCode.CreateConsumerGroup,
  [Operation.DeleteConsumerGroup]: CommandCode.DeleteConsumerGroup,
  [Operation.JoinConsumerGroup]: CommandCode.JoinConsumerGroup,
  [Operation.LeaveConsumerGroup]: CommandCode.LeaveConsumerGroup,
  [Operation.CreatePersonalAccessToken]: CommandCode.CreatePersonalAccessToken,
  [Operation.DeletePersonalAccessToken]: CommandCode.DeletePersonalAccessToken,
  [Operation.SendMessages]: CommandCode.SendMessages,
  [Operation.StoreConsumerOffset]: CommandCode.StoreConsumerOffset,
  [Operation.DeleteConsumerOffset]: CommandCode.DeleteConsumerOffset,
};

/**
 * A tiny Iggy look-alike on 127.0.0.1 for tests: it speaks the 256-byte framing, logs in users
 * and tokens with the version handshake, answers Ping and cluster metadata, and otherwise
 * answers from a script — replies, result-section errors, transient 57/58, evictions, stalls,
 * malformed and oversized frames, closes. Every request is recorded byte for byte.
 */
export class ScriptedPeer {
  readonly #server: Server;
  readonly #options: ScriptedPeerOptions;
  readonly #sockets: Socket[] = [];
  /** Every request received, in order. */
  readonly requests: PeerRequest[] = [];
  /** Sessions handed out so far. */
  #nextSession = 1n;
  /** The replaceable script (defaults to the one in the options). */
  script: PeerScript | undefined;
  /** `host:port` the peer listens on. */
  address = '';

  private constructor(options: ScriptedPeerOptions) {
    this.#options = options;
    this.script = options.script;
    this.#server = options.tls
      ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, (socket) => this.#accept(socket))
      : createServer((socket) => this.#accept(socket));
  }

  /** Starts a peer on an ephemeral 127.0.0.1 port. */
  static async start(options: ScriptedPeerOptions = {}): Promise<ScriptedPeer> {
    const peer = new ScriptedPeer(options);
    await new Promise<void>((resolve) => peer.#server.listen(0, '127.0.0.1', resolve));
    const info = peer.#server.address();
    if (info === null || typeof info === 'string') throw new Error('no TCP address');
    peer.address = `127.0.0.1:${info.port}`;
    return peer;
  }

  /** The port the peer listens on. */
  get port(): number {
    return Number(this.address.split(':')[1]);
  }

  /** Connections accepted so far. */
  get connectionCount(): number {
    return this.#sockets.length;
  }

  /** Open connections right now. */
  get openConnections(): number {
    return this.#sockets.filter((s) => !s.destroyed).length;
  }

  /** Requests of one command code. */
  requestsOf(code: number): PeerRequest[] {
    return this.requests.filter((r) => r.code === code);
  }

  /** Sends an unsolicited eviction on every open connection. */
  evictAll(reason: number): void {
    for (const socket of this.#sockets) {
      if (!socket.destroyed) socket.write(encodeEvictionFrame({ client: 1n, reason, serverProtocol: 0, serverProtocolMin: 0 }));
    }
  }

  /** Destroys one connection by its accept index. */
  dropConnection(index: number): void {
    this.#sockets[index]?.destroy();
  }

  /** Destroys every open connection (the server keeps listening). */
  dropAll(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    const index = this.#sockets.push(socket) - 1;
    const reader = new FrameReader(64 * 1024 * 1024);
    let chain = Promise.resolve();
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        chain = chain.then(() => this.#handle(socket, frame, index)).catch(() => {
          socket.destroy();
        });
      }
    });
  }

  async #handle(socket: Socket, frame: Buffer, connection: number): Promise<void> {
    if (socket.destroyed) return;
    const { header, body } = decodeRequestFrame(frame);
    const code = header.operation === Operation.NonReplicated ? header.code : (CODE_OF_OPERATION[header.operation] ?? 0);
    const request: PeerRequest = { header, body: Buffer.from(body), frame: Buffer.from(frame), code, connection };
    this.requests.push(request);
    const scripted = this.script ? await this.script(request, this) : undefined;
    const actions = scripted === undefined ? this.#default(request) : scripted;
    for (const action of Array.isArray(actions) ? actions : [actions]) this.#perform(socket, request, action);
  }

  #perform(socket: Socket, request: PeerRequest, action: PeerAction): void {
    if (socket.destroyed) return;
    switch (action.kind) {
      case 'stall':
        return;
      case 'close':
        socket.destroy();
        return;
      case 'raw':
        socket.write(action.bytes);
        return;
      case 'evict':
        socket.write(
          encodeEvictionFrame({
            client: request.header.client,
            reason: action.reason,
            serverProtocol: action.serverProtocol ?? 0,
            serverProtocolMin: action.serverProtocolMin ?? 0,
          }),
        );
        return;
      case 'reply':
        socket.write(replyFrame(request, action));
    }
  }

  /** Login, Ping and cluster metadata; everything else is InvalidCommand (status 3). */
  #default(request: PeerRequest): PeerAction {
    if (request.header.operation === Operation.Register) return this.#login(request);
    if (request.code === CommandCode.Ping) return { kind: 'reply' };
    if (request.header.session === 0n) return { kind: 'reply', status: 40 };
    if (request.code === CommandCode.GetClusterMetadata) {
      const nodes = this.#options.clusterNodes?.() ?? [
        { name: 'scripted', ip: '127.0.0.1', tcpPort: this.port, role: 0, status: 0 },
      ];
      return {
        kind: 'reply',
        body: encodeResponse(getClusterMetadata, {
          name: 'scripted-cluster',
          nodes: nodes.map((n) => ({ ...n, quicPort: 0, httpPort: 0, websocketPort: 0 })),
        }),
      };
    }
    return { kind: 'reply', status: 3 };
  }

  #login(request: PeerRequest): PeerAction {
    let parsed: ReturnType<typeof registerBody.read>;
    try {
      const r = new Reader(request.body, 'register');
      parsed = registerBody.read(r);
    } catch {
      return { kind: 'evict', reason: 15 };
    }
    const serverProtocol = this.#options.serverProtocol ?? packVersion(CLIENT_PROTOCOL);
    const serverMin = serverProtocol & ~0x3ff;
    const client = parsed.value.protocolVersion;
    if (client < serverMin || client >>> 10 > serverProtocol >>> 10) {
      return { kind: 'evict', reason: 14, serverProtocol, serverProtocolMin: serverMin };
    }
    if (parsed.kind === 'password') {
      const users = this.#options.users ?? { iggy: 'iggy' };
      const password = Buffer.from(parsed.value.password).toString('utf8');
      if (users[parsed.value.username] !== password) return { kind: 'evict', reason: 9 };
    } else {
      const token = Buffer.from(parsed.value.token).toString('utf8');
      if (!(this.#options.tokens ?? []).includes(token)) return { kind: 'evict', reason: 10 };
    }
    return {
      kind: 'reply',
      body: encodeResponse(loginRegister, {
        userId: 0,
        session: this.#nextSession++,
        serverProtocol,
        serverVersion: this.#options.serverVersion ?? '0.9.0-scripted',
      }),
    };
  }
}

/** A reply frame echoing the request id; result-framed operations get a result section. */
export function replyFrame(
  request: PeerRequest,
  action: { body?: Uint8Array; status?: number; resultCode?: number; operation?: number },
): Buffer {
  const operation = action.operation ?? replyOperation(request.header.operation);
  const payload = action.body ?? new Uint8Array(0);
  let body: Uint8Array = payload;
  if (action.status === undefined || action.status === 0) {
    if (action.resultCode !== undefined) {
      body = Buffer.alloc(12);
      (body as Buffer).writeUInt32LE(1, 0);
      (body as Buffer).writeUInt32LE(0, 4);
      (body as Buffer).writeUInt32LE(action.resultCode, 8);
    } else if (isResultFramed(operation, Math.max(payload.byteLength, operation === Operation.Register ? 1 : 0))) {
      body = Buffer.concat([Buffer.alloc(4), payload]);
    }
  } else {
    body = new Uint8Array(0);
  }
  return encodeReplyFrame(
    {
      operation,
      status: action.status ?? 0,
      request: request.header.request,
      client: request.header.client,
    },
    body,
  );
}

/** The server replies to CreateTopic with op 64 and to CreatePartitions with op 65 (spec §3). */
function replyOperation(operation: number): number {
  if (operation === Operation.CreateTopic) return Operation.CreateTopicWithAssignments;
  if (operation === Operation.CreatePartitions) return Operation.CreatePartitionsWithAssignments;
  return operation;
}

/** Decodes a request body with a command's request codec (re-exported for tests). */
export { decodeRequest };
