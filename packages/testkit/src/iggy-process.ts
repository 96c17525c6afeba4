import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';

/** TLS files for a server started by `startIggyProcess`. */
export interface IggyProcessTls {
  certFile: string;
  keyFile: string;
  /** CA that signed `certFile`; the readiness probe verifies the server with it. */
  caFile: string;
}

/** Options of `startIggyProcess`. */
export interface IggyProcessOptions {
  /**
   * Shell command that starts `iggy-server` (run with `sh -c`, e.g.
   * `cd /opt/iggy && exec ./target/release/iggy-server`). Settings come from the environment
   * this fixture sets; the command must not hard-code the address or data path. A `--fresh`
   * flag in it is removed on restarts.
   */
  command: string;
  /** Serve TLS on the TCP port with these files. */
  tls?: IggyProcessTls;
  /** Extra environment for the server (e.g. `IGGY_HEARTBEAT_INTERVAL`). */
  env?: Record<string, string>;
  /** How long to wait for the server to answer a ping after each start. Default 90 s. */
  readyTimeoutMs?: number;
}

/** An `iggy-server` process this fixture started; `close()` stops it and removes its data. */
export interface IggyProcess extends AsyncDisposable {
  /** `127.0.0.1:<port>`: the TCP (or TLS) address. */
  readonly address: string;
  readonly username: string;
  /** Root password (generated per process; never log it). */
  readonly password: string;
  /** The server's data directory (kept across restarts). */
  readonly dataDir: string;
  /** True while the server runs. */
  readonly running: boolean;
  /** Stops the server: SIGTERM to its process group, SIGKILL after `graceMs` (default 15 s). */
  stop(options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<void>;
  /** Starts the stopped server again on the same address and data (never with `--fresh`). */
  start(): Promise<void>;
  /** The last `bytes` of the server's output (for failure messages). */
  logTail(bytes?: number): string;
  /** Stops the server and removes its data directory. Idempotent. */
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (released before it is returned, so a small race remains). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A 256-byte Iggy (protocol 0.11) Ping request: Request command, NonReplicated op, code 1. */
function pingFrame(): Buffer {
  const frame = Buffer.alloc(256);
  frame.writeUInt32LE(256, 48);
  frame[60] = 5;
  randomBytes(16).copy(frame, 128);
  frame.writeUInt8(frame.readUInt8(128) | 1, 128);
  frame.writeBigUInt64LE(1n, 168);
  frame[176] = 2;
  frame.writeUInt32LE(1, 196);
  return frame;
}

/** Resolves true when the server at `port` answers a Ping with a Reply frame within `timeoutMs`. */
function pingOnce(port: number, tls: IggyProcessTls | undefined, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let socket: Socket;
    let received = Buffer.alloc(0);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    const onReady = () => socket.write(pingFrame());
    if (tls) {
      socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(tls.caFile) }, onReady);
    } else {
      socket = tcpConnect({ host: '127.0.0.1', port }, onReady);
    }
    socket.on('error', () => done(false));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 256) done(received[60] === 8);
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True while any process of group `pgid` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

class RunningIggy implements IggyProcess {
  readonly address: string;
  readonly username = 'iggy';
  readonly password = randomBytes(12).toString('hex');
  readonly dataDir: string;
  readonly #port: number;
  readonly #dir: string;
  readonly #options: IggyProcessOptions;
  readonly #logFile: string;
  #child: ChildProcess | undefined;
  #exited = true;
  #starts = 0;
  #closed = false;

  constructor(dir: string, port: number, options: IggyProcessOptions) {
    this.#dir = dir;
    this.#port = port;
    this.#options = options;
    this.address = `127.0.0.1:${port}`;
    this.dataDir = join(dir, 'data');
    this.#logFile = join(dir, 'server.log');
  }

  get running(): boolean {
    return this.#child !== undefined && !this.#exited;
  }

  async start(): Promise<void> {
    if (this.#closed) throw new Error('the Iggy process fixture is closed');
    if (this.running) return;
    const first = this.#starts === 0;
    this.#starts += 1;
    const command = first ? this.#options.command : this.#options.command.replace(/(^|\s)--fresh(?=\s|$)/g, ' ');
    const tls = this.#options.tls;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      IGGY_ROOT_USERNAME: this.username,
      IGGY_ROOT_PASSWORD: this.password,
      IGGY_TCP_ADDRESS: this.address,
      IGGY_SYSTEM_PATH: this.dataDir,
      IGGY_HTTP_ENABLED: 'false',
      IGGY_QUIC_ENABLED: 'false',
      IGGY_WEBSOCKET_ENABLED: 'false',
      IGGY_TCP_TLS_ENABLED: tls ? 'true' : 'false',
      ...(tls
        ? { IGGY_TCP_TLS_SELF_SIGNED: 'false', IGGY_TCP_TLS_CERT_FILE: tls.certFile, IGGY_TCP_TLS_KEY_FILE: tls.keyFile }
        : {}),
      ...this.#options.env,
    };
    const log = openSync(this.#logFile, 'a');
    try {
      const child = spawn('sh', ['-c', command], { env, detached: true, stdio: ['ignore', log, log] });
      this.#child = child;
      this.#exited = false;
      child.once('exit', () => {
        if (this.#child === child) this.#exited = true;
      });
    } finally {
      closeSync(log);
    }
    const deadline = Date.now() + (this.#options.readyTimeoutMs ?? 90_000);
    while (!(await pingOnce(this.#port, tls, 2_000))) {
      if (this.#exited && !groupAlive(this.#child.pid ?? 0)) {
        throw new Error(`iggy-server exited during start-up:\n${this.logTail()}`);
      }
      if (Date.now() > deadline) {
        await this.stop({ signal: 'SIGKILL' });
        throw new Error(`iggy-server did not answer a ping on ${this.address} in time:\n${this.logTail()}`);
      }
      await sleep(200);
    }
  }

  async stop(options: { signal?: NodeJS.Signals; graceMs?: number } = {}): Promise<void> {
    const pid = this.#child?.pid;
    if (pid === undefined) return;
    const signal = options.signal ?? 'SIGTERM';
    const deadline = Date.now() + (options.graceMs ?? 15_000);
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
    while (groupAlive(pid)) {
      if (Date.now() > deadline && signal !== 'SIGKILL') {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
      await sleep(50);
    }
    this.#exited = true;
  }

  logTail(bytes = 4_000): string {
    try {
      const text = readFileSync(this.#logFile, 'utf8');
      return text.slice(-bytes);
    } catch {
      return '(no server output)';
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.stop();
    await rm(this.#dir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Starts `iggy-server` with `options.command` on a free 127.0.0.1 port and a fresh temp data
 * dir (HTTP, QUIC and WebSocket off; root user `iggy` with a generated password), waits until it
 * answers a ping, and returns a handle that can stop, restart and finally remove it.
 */
export async function startIggyProcess(options: IggyProcessOptions): Promise<IggyProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'rustok-iggy-server-'));
  const server = new RunningIggy(dir, await freePort(), options);
  try {
    await server.start();
  } catch (error) {
    await server.close().catch(() => undefined);
    throw error;
  }
  return server;
}
