import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { isRustokError, type Logger, type RustokError } from '@rustok/core';
import { afterEach, describe, expect, it } from 'vitest';
import { IggyClient } from '../../src/remote/connection/client';
import type { IggyClientOptionsInput } from '../../src/remote/connection/options';
import {
  createStream,
  encodeResponse,
  getStats,
  getStream,
  ping,
} from '../../src/remote/wire/commands/index';
import { CommandCode, Operation } from '../../src/remote/wire/constants';
import { packVersion } from '../../src/remote/wire/version';
import { type PeerAction, ScriptedPeer } from '../support/scripted-peer';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function peer(options: Parameters<typeof ScriptedPeer.start>[0] = {}): Promise<ScriptedPeer> {
  const p = await ScriptedPeer.start(options);
  cleanups.push(() => p.close());
  return p;
}

function client(options: Partial<IggyClientOptionsInput> & { addresses: string[] }, logger?: Logger): IggyClient {
  const c = new IggyClient(
    {
      credentials: { kind: 'password', username: 'iggy', password: 'iggy' },
      heartbeatIntervalMs: 0,
      reconnect: { initialMs: 20, maxMs: 200, jitter: false },
      ...options,
    },
    logger ? { logger } : {},
  );
  cleanups.push(() => c.close());
  return c;
}

async function rejection(promise: Promise<unknown>): Promise<RustokError> {
  try {
    await promise;
  } catch (error) {
    if (!isRustokError(error)) throw new Error(`untyped error: ${String(error)}`);
    return error;
  }
  throw new Error('expected a rejection');
}

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const streamDetails = {
  stream: {
    id: 0,
    createdAt: 1n,
    topicsCount: 0,
    sizeBytes: 0n,
    messagesCount: 0n,
    name: 'rustok',
    options: new Uint8Array(0),
  },
  topics: [],
};

/** A logger that keeps every line, to check that secrets never appear. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: unknown) => {
    lines.push(`${level} ${message} ${inspect(fields, { depth: 5 })}`);
  };
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

describe('IggyClient against a scripted peer', () => {
  it('logs in (Register: request 0, session 0) and then follows the request-id rules', async () => {
    const p = await peer({ serverVersion: '0.9.0-test' });
    const c = client({ addresses: [p.address] });
    await c.connect();
    expect(c.server).toMatchObject({ serverVersion: '0.9.0-test', protocol: '0.11.0', session: 1n });
    p.script = (req) =>
      req.code === CommandCode.CreateStream || req.code === CommandCode.GetStream
        ? { kind: 'reply', body: encodeResponse(createStream, streamDetails) }
        : undefined;
    await c.call(createStream, { name: 'rustok', options: {} });
    await c.call(getStream, { stream: 'rustok' });
    await c.call(ping, undefined);
    const [register, metadata, create, get, pinged] = p.requests;
    expect(metadata!.header).toMatchObject({ code: CommandCode.GetClusterMetadata, request: 1n, session: 1n });
    expect(register!.header).toMatchObject({ operation: Operation.Register, request: 0n, session: 0n, code: 0 });
    expect(create!.header).toMatchObject({ operation: Operation.CreateStream, request: 1n, session: 1n, code: 0 });
    expect(get!.header).toMatchObject({ operation: Operation.NonReplicated, request: 2n, session: 1n, code: 200 });
    expect(pinged!.header).toMatchObject({ request: 2n, code: CommandCode.Ping });
    expect(new Set(p.requests.map((r) => r.header.client))).toEqual(new Set([c.clientId]));
  });

  it('logs in with a personal access token; a bad token is AUTH_FAILED without echoing it', async () => {
    const p = await peer({ tokens: ['good-token-123'] });
    const ok = client({ addresses: [p.address], credentials: { kind: 'token', token: 'good-token-123' } });
    await ok.connect();
    expect(ok.connected).toBe(true);
    const logger = recordingLogger();
    const bad = client({ addresses: [p.address], credentials: { kind: 'token', token: 'bad-token-456' } }, logger);
    const error = await rejection(bad.connect());
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.iggyCode).toBe(53);
    const shown = [error.message, JSON.stringify(error), inspect(error, { depth: 5 }), ...logger.lines].join('\n');
    expect(shown).not.toContain('bad-token-456');
  });

  it('wrong credentials are AUTH_FAILED; the password never appears in errors or logs', async () => {
    const p = await peer();
    const logger = recordingLogger();
    const c = client(
      { addresses: [p.address], credentials: { kind: 'password', username: 'iggy', password: 'hunter2-secret' } },
      logger,
    );
    const error = await rejection(c.connect());
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.iggyCode).toBe(42);
    expect(error.details.evictionReason).toBe(9);
    // A call does not retry a hopeless login in a loop.
    expect((await rejection(c.call(ping, undefined))).code).toBe('AUTH_FAILED');
    const shown = [error.message, JSON.stringify(error), inspect(error, { depth: 5 }), ...logger.lines].join('\n');
    expect(shown).not.toContain('hunter2-secret');
  });

  it('an incompatible server fails with INCOMPATIBLE_SERVER naming both versions', async () => {
    const p = await peer({ serverProtocol: packVersion({ major: 0, minor: 12, patch: 3 }) });
    const error = await rejection(client({ addresses: [p.address] }).connect());
    expect(error.code).toBe('INCOMPATIBLE_SERVER');
    expect(error.iggyCode).toBe(14003);
    expect(error.message).toContain('0.12.');
    expect(error.message).toContain('0.11.0');
    // An older server that accepts the login but speaks an older generation is refused too.
    const old = await peer({ serverProtocol: packVersion({ major: 0, minor: 11, patch: 9 }), serverVersion: '0.9.7' });
    const ok = client({ addresses: [old.address] });
    await ok.connect();
    expect(ok.server?.protocol).toBe('0.11.9');
  });

  it('a stalled reply times out with TIMEOUT and drops the connection', async () => {
    const p = await peer({ script: (req) => (req.code === CommandCode.GetStats ? { kind: 'stall' } : undefined) });
    const c = client({ addresses: [p.address], reconnect: { enabled: false } });
    await c.connect();
    const started = Date.now();
    const error = await rejection(c.call(getStats, undefined, { timeoutMs: 200 }));
    expect(error.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(c.connected).toBe(false);
    await until('the peer sees the connection closed', () => p.openConnections === 0);
    // The next call gets a fresh connection and session.
    await c.call(ping, undefined);
    expect(p.connectionCount).toBe(2);
  });

  it('resends transient 57/58 answers with identical bytes, bounded', async () => {
    const answers: PeerAction[] = [
      { kind: 'reply', resultCode: 57 },
      { kind: 'reply', resultCode: 58 },
      { kind: 'reply', body: encodeResponse(createStream, streamDetails) },
    ];
    const p = await peer({ script: (req) => (req.code === CommandCode.CreateStream ? answers.shift() : undefined) });
    const c = client({ addresses: [p.address], transientRetryDelayMs: 5 });
    const created = await c.call(createStream, { name: 'rustok', options: {} });
    expect(created.stream.name).toBe('rustok');
    const sent = p.requestsOf(CommandCode.CreateStream);
    expect(sent).toHaveLength(3);
    expect(sent[1]!.frame.equals(sent[0]!.frame)).toBe(true);
    expect(sent[2]!.frame.equals(sent[0]!.frame)).toBe(true);

    p.script = (req) => (req.code === CommandCode.CreateStream ? { kind: 'reply', resultCode: 57 } : undefined);
    const bounded = client({ addresses: [p.address], transientRetryDelayMs: 1, maxTransientRetries: 3 });
    const error = await rejection(bounded.call(createStream, { name: 'other', options: {} }));
    expect(error.iggyCode).toBe(57);
    expect(p.requestsOf(CommandCode.CreateStream).filter((r) => r.connection === p.connectionCount - 1)).toHaveLength(4);
  });

  it('maps an eviction to a typed error, reports the lost session and re-logs in', async () => {
    let evicted = false;
    const p = await peer({
      script: (req) => {
        if (req.code === CommandCode.GetStats && !evicted) {
          evicted = true;
          return { kind: 'evict', reason: 13 };
        }
        return undefined;
      },
    });
    const c = client({ addresses: [p.address] });
    const lost: (RustokError | undefined)[] = [];
    const ready: boolean[] = [];
    c.onSessionLost((e) => lost.push(e));
    c.onSessionReady((_info, reconnected) => ready.push(reconnected));
    await c.connect();
    const firstClient = c.clientId;
    const error = await rejection(c.call(getStats, undefined));
    expect(error.code).toBe('CONNECTION');
    expect(error.retriable).toBe(true);
    expect(error.details).toMatchObject({ evictionReason: 13, eviction: 'StaleClient' });
    expect(error.iggyCode).toBe(30);
    await until('re-login', () => ready.length === 2);
    expect(ready).toEqual([false, true]);
    expect(lost).toHaveLength(1);
    expect(c.clientId).not.toBe(firstClient);
    const registers = p.requests.filter((r) => r.header.operation === Operation.Register);
    expect(registers).toHaveLength(2);
    expect(registers[1]!.header.client).not.toBe(registers[0]!.header.client);
  });

  it('maps every eviction reason to its typed error', async () => {
    const expected: [number, string, number][] = [
      [0, 'PROTOCOL', 3],
      [1, 'CONNECTION', 40],
      [2, 'PROTOCOL', 3],
      [3, 'PROTOCOL', 3],
      [4, 'PROTOCOL', 3],
      [5, 'PROTOCOL', 3],
      [6, 'PROTOCOL', 3],
      [7, 'CONNECTION', 40],
      [8, 'CONNECTION', 40],
      [9, 'AUTH_FAILED', 42],
      [10, 'AUTH_FAILED', 53],
      [11, 'AUTH_FAILED', 40],
      [12, 'CONNECTION', 40],
      [13, 'CONNECTION', 30],
      [14, 'INCOMPATIBLE_SERVER', 14003],
      [15, 'PROTOCOL', 4],
      [16, 'CONNECTION', 40],
    ];
    let reason = 0;
    const p = await peer({
      script: (req) =>
        req.code === CommandCode.GetStats
          ? { kind: 'evict', reason, serverProtocol: packVersion({ major: 0, minor: 12, patch: 0 }), serverProtocolMin: packVersion({ major: 0, minor: 12, patch: 0 }) }
          : undefined,
    });
    const c = client({ addresses: [p.address] });
    for (const [r, code, iggyCode] of expected) {
      reason = r;
      const error = await rejection(c.call(getStats, undefined));
      expect([r, error.code, error.iggyCode, error.details.evictionReason]).toEqual([r, code, iggyCode, r]);
    }
  });

  it('releaseLostSession: after a dropped connection it logs the old client out, then logs in afresh', async () => {
    const p = await peer();
    p.script = (req) => (req.header.operation === Operation.Logout ? { kind: 'reply' } : undefined);
    const c = client({ addresses: [p.address], releaseLostSession: true });
    await c.connect();
    const old = c.clientId;
    const oldSession = c.server!.session;
    p.dropAll();
    await until('a new session', () => c.connected && c.clientId !== old);
    const after = p.requests.filter((r) => r.connection > 0);
    // On an extra connection: Register as the old client id, then Logout with the session that
    // gave (the next request id) — then the real login with a fresh client id.
    const [register, logoutRequest] = after;
    expect(register!.header).toMatchObject({ operation: Operation.Register, client: old, request: 0n, session: 0n });
    expect(logoutRequest!.header).toMatchObject({ operation: Operation.Logout, client: old, request: 1n });
    expect(logoutRequest!.header.session).toBeGreaterThan(oldSession);
    expect(logoutRequest!.connection).toBe(register!.connection);
    const fresh = after.filter((r) => r.header.client === c.clientId);
    expect(fresh[0]!.header.operation).toBe(Operation.Register);
    expect(fresh[0]!.connection).not.toBe(register!.connection);

    // Evicted sessions are dead on the server already: nothing to release then.
    const evictedId = c.clientId;
    const seen = p.requests.length;
    p.evictAll(13);
    await until('another new session', () => c.connected && c.clientId !== evictedId);
    expect(p.requests.slice(seen).some((r) => r.header.client === evictedId)).toBe(false);
  });

  it('without releaseLostSession a dropped connection just logs in again', async () => {
    const p = await peer();
    const c = client({ addresses: [p.address] });
    await c.connect();
    const old = c.clientId;
    const seen = p.requests.length;
    p.dropAll();
    await until('a new session', () => c.connected && c.clientId !== old);
    expect(p.requests.slice(seen).some((r) => r.header.client === old)).toBe(false);
  });

  it('an unsolicited eviction while idle ends the session and triggers a reconnect', async () => {
    const p = await peer();
    const c = client({ addresses: [p.address] });
    const lost: (RustokError | undefined)[] = [];
    c.onSessionLost((e) => lost.push(e));
    await c.connect();
    p.evictAll(1);
    await until('session lost', () => lost.length === 1);
    expect(lost[0]?.details.eviction).toBe('NoSession');
    await until('reconnected', () => c.connected && p.connectionCount === 2);
  });

  it('follows leader redirection through cluster metadata (≤ 3 hops)', async () => {
    const leader = await peer();
    const follower = await peer({
      clusterNodes: () => [
        { name: 'a', ip: '127.0.0.1', tcpPort: follower.port, role: 1, status: 0 },
        { name: 'b', ip: '127.0.0.1', tcpPort: leader.port, role: 0, status: 0 },
      ],
    });
    const c = client({ addresses: [follower.address] });
    await c.connect();
    expect(c.server?.address).toBe(leader.address);
    expect(follower.requestsOf(CommandCode.GetClusterMetadata)).toHaveLength(1);
    expect(follower.openConnections).toBe(0);
    expect(leader.requests.some((r) => r.header.operation === Operation.Register)).toBe(true);

    // Two nodes that each name the other as leader: the client stops after 3 hops.
    const x = await peer({
      clusterNodes: () => [
        { name: 'x', ip: '127.0.0.1', tcpPort: x.port, role: 1, status: 0 },
        { name: 'y', ip: '127.0.0.1', tcpPort: y.port, role: 0, status: 0 },
      ],
    });
    const y = await peer({
      clusterNodes: () => [
        { name: 'x', ip: '127.0.0.1', tcpPort: x.port, role: 0, status: 0 },
        { name: 'y', ip: '127.0.0.1', tcpPort: y.port, role: 1, status: 0 },
      ],
    });
    const looping = client({ addresses: [x.address] });
    await looping.connect();
    const logins = [...x.requests, ...y.requests].filter((r) => r.header.operation === Operation.Register);
    expect(logins).toHaveLength(4);
    expect(looping.server?.address).toBe(y.address);
  });

  it('tries the addresses in order', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as { port: number }).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const p = await peer();
    const c = client({ addresses: [`127.0.0.1:${deadPort}`, p.address] });
    await c.connect();
    expect(c.server?.address).toBe(p.address);
    const none = client({ addresses: [`127.0.0.1:${deadPort}`] });
    const error = await rejection(none.connect());
    expect(error.code).toBe('CONNECTION');
    expect(error.message).toContain(`127.0.0.1:${deadPort}`);
  });

  it('reconnects with exponential backoff and logs in again', async () => {
    let failLogins = 0;
    const p = await peer({
      script: (req) => {
        if (req.header.operation === Operation.Register && failLogins > 0) {
          failLogins--;
          return { kind: 'close' };
        }
        return undefined;
      },
    });
    const c = new IggyClient({
      addresses: [p.address],
      credentials: { kind: 'password', username: 'iggy', password: 'iggy' },
      heartbeatIntervalMs: 0,
      reconnect: { initialMs: 40, maxMs: 1_000, jitter: false },
    });
    cleanups.push(() => c.close());
    await c.connect();
    const times: number[] = [];
    p.script = (req) => {
      if (req.header.operation === Operation.Register) {
        times.push(Date.now());
        if (failLogins > 0) {
          failLogins--;
          return { kind: 'close' };
        }
      }
      return undefined;
    };
    failLogins = 3;
    const droppedAt = Date.now();
    p.dropAll();
    await until('reconnected after failures', () => c.connected && times.length === 4, 5_000);
    // Delays 40, 80, 160, 320 ms: each gap at least its backoff step (small scheduling slack).
    const gaps = [times[0]! - droppedAt, times[1]! - times[0]!, times[2]! - times[1]!, times[3]! - times[2]!];
    [40, 80, 160, 320].forEach((d, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(d - 5);
    });
    expect(c.server?.session).toBeGreaterThan(1n);
  });

  it('rejects an oversized reply frame at once with PROTOCOL and drops the connection', async () => {
    for (const size of [0xffff_ffff, 64 * 1024 * 1024 + 1]) {
      const header = Buffer.alloc(256);
      header.writeUInt32LE(size, 48);
      header[60] = 8;
      const p = await peer({
        script: (req) => (req.code === CommandCode.GetStats ? { kind: 'raw', bytes: header } : undefined),
      });
      const c = client({ addresses: [p.address], reconnect: { enabled: false } });
      await c.connect();
      const started = Date.now();
      const error = await rejection(c.call(getStats, undefined, { timeoutMs: 10_000 }));
      expect(error.code).toBe('PROTOCOL');
      expect(error.details.declaredSize).toBe(size);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(c.connected).toBe(false);
    }
  });

  it('a malformed frame or an unsolicited reply is PROTOCOL', async () => {
    const bad = Buffer.alloc(256);
    bad.writeUInt32LE(256, 48);
    bad[60] = 99;
    const p = await peer({
      script: (req) => (req.code === CommandCode.GetStats ? { kind: 'raw', bytes: bad } : undefined),
    });
    const c = client({ addresses: [p.address], reconnect: { enabled: false } });
    await c.connect();
    expect((await rejection(c.call(getStats, undefined))).code).toBe('PROTOCOL');

    // A second reply to one request arrives with nothing outstanding.
    p.script = (req) => (req.code === CommandCode.Ping ? [{ kind: 'reply' }, { kind: 'reply' }] : undefined);
    const d = client({ addresses: [p.address], reconnect: { enabled: false } });
    const lost: (RustokError | undefined)[] = [];
    d.onSessionLost((e) => lost.push(e));
    await d.call(ping, undefined);
    await until('protocol failure noticed', () => lost.length === 1);
    expect(lost[0]?.code).toBe('PROTOCOL');
  });

  it('sends heartbeat pings while idle, from an unref’d timer, and stops on close', async () => {
    const p = await peer();
    const c = client({ addresses: [p.address], heartbeatIntervalMs: 50 });
    await c.connect();
    await until('three heartbeats', () => p.requestsOf(CommandCode.Ping).length >= 3, 3_000);
    await c.close();
    const count = p.requestsOf(CommandCode.Ping).length;
    await new Promise((r) => setTimeout(r, 200));
    expect(p.requestsOf(CommandCode.Ping).length).toBe(count);
  });

  it('close() rejects queued calls with CLOSED', async () => {
    const p = await peer({ script: (req) => (req.code === CommandCode.GetStats ? { kind: 'stall' } : undefined) });
    const c = client({ addresses: [p.address] });
    await c.connect();
    const stalled = c.call(getStats, undefined);
    const queued = c.call(ping, undefined);
    await c.close();
    expect((await rejection(stalled)).code).toBe('CLOSED');
    expect((await rejection(queued)).code).toBe('CLOSED');
  });
});
