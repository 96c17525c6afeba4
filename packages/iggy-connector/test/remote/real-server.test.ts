import { isRustokError } from '@rustok/core';
import { acquireIggy } from '@rustok/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteConnector, resolveConnectorConfig } from '../../src/index';
import { IggyClient } from '../../src/remote/connection/client';
import type { IggyClientOptionsInput } from '../../src/remote/connection/options';
import { dial } from '../../src/remote/connection/dial';
import { FrameSocket } from '../../src/remote/connection/frame-socket';
import {
  createPersonalAccessToken,
  deletePersonalAccessToken,
  encodeRequest,
  getMe,
  getStats,
  loginRegister,
} from '../../src/remote/wire/commands/index';
import { replyPayload } from '../../src/remote/wire/funnel';
import { encodeRequestFrame } from '../../src/remote/wire/header';
import { packVersion } from '../../src/remote/wire/version';
import { uniqueName } from '../conformance/helpers';

// IGGY_ADDRESS (+ IGGY_USERNAME/IGGY_PASSWORD or IGGY_TOKEN), else a server started with
// IGGY_SERVER_CMD, else testcontainers when Docker answers; skipped with the reason otherwise.
const acquired = await acquireIggy();
const server = acquired.status === 'ready' ? acquired.server : undefined;
if (acquired.status === 'skipped') console.log(`[remote real-server] ${acquired.reason}`);
afterAll(() => server?.close());
const address = server?.address;
const username = server?.username ?? 'iggy';
const password = server?.password ?? 'iggy';
const credentials = (): IggyClientOptionsInput['credentials'] =>
  server?.token ? { kind: 'token', token: server.token } : { kind: 'password', username, password };

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The error `promise` rejects with (undefined when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

// Behaviour only a real Iggy 0.9.x server can show.
describe.skipIf(!server)('remote connector against a real Iggy server', () => {
  let connector: RemoteConnector;

  beforeAll(async () => {
    const config = resolveConnectorConfig({ mode: 'remote' }, server!.env).remote;
    connector = new RemoteConnector({ ...config, groupSyncIntervalMs: 200 });
    await connector.connect();
  });

  afterAll(async () => {
    await connector?.close();
  });

  it('reports the server version and protocol in health()', async () => {
    const health = await connector.health();
    expect(health).toMatchObject({ status: 'healthy', mode: 'remote', connected: true, protocol: expect.stringMatching(/^0\.11\./) });
    expect(health.serverVersion).toMatch(/^0\.9\./);
  });

  it('logs in with a personal access token (expiry 0 = never) and reads stats', async () => {
    const admin = new IggyClient({ addresses: [address!], credentials: credentials() });
    const name = uniqueName('pat').slice(0, 30);
    try {
      const { token } = await admin.call(createPersonalAccessToken, { name, expiry: 0n });
      const viaToken = new IggyClient({
        addresses: [address!],
        credentials: { kind: 'token', token: Buffer.from(token).toString('utf8') },
      });
      try {
        await viaToken.connect();
        expect((await viaToken.call(getMe, undefined)).userId).toBe(0);
        expect((await viaToken.call(getStats, undefined)).serverVersion).toMatch(/^0\.9\./);
      } finally {
        await viaToken.close();
      }
      // The same token through the connector's own configuration (IGGY_TOKEN).
      const config = resolveConnectorConfig(
        { mode: 'remote' },
        { IGGY_ADDRESS: address, IGGY_TOKEN: Buffer.from(token).toString('utf8') },
      ).remote;
      const viaConfig = new RemoteConnector(config);
      try {
        await viaConfig.connect();
        expect((await viaConfig.health()).status).toBe('healthy');
      } finally {
        await viaConfig.close();
      }
    } finally {
      await admin.call(deletePersonalAccessToken, { name }).catch(() => {});
      await admin.close();
    }
  });

  it('PAT expiry is in microseconds: a 1.5 s token works at once and is refused after it lapsed', async () => {
    const admin = new IggyClient({ addresses: [address!], credentials: credentials() });
    const name = uniqueName('pat-short').slice(0, 30);
    const login = async (token: string) => {
      const client = new IggyClient({
        addresses: [address!],
        credentials: { kind: 'token', token },
        reconnect: { enabled: false },
      });
      try {
        await client.connect();
      } finally {
        await client.close();
      }
    };
    try {
      const created = await admin.call(createPersonalAccessToken, { name, expiry: 1_500_000n });
      const token = Buffer.from(created.token).toString('utf8');
      await login(token);
      await new Promise((r) => setTimeout(r, 2_000));
      // Read as seconds, 1 500 000 would be 17 days: the refusal proves the unit.
      const error = await rejection(login(token));
      expect(isRustokError(error) && error.code).toBe('AUTH_FAILED');
      expect(isRustokError(error) && error.details.evictionReason).toBe(10);
      expect(String((error as Error).message)).not.toContain(token);
    } finally {
      await admin.call(deletePersonalAccessToken, { name }).catch(() => {});
      await admin.close();
    }
  });

  it('wrong credentials are AUTH_FAILED (eviction InvalidCredentials)', async () => {
    const client = new IggyClient({
      addresses: [address!],
      credentials: { kind: 'password', username, password: `${password}-wrong` },
    });
    try {
      const error = await rejection(client.connect());
      expect(isRustokError(error) && error.code).toBe('AUTH_FAILED');
      expect(isRustokError(error) && error.details.evictionReason).toBe(9);
      expect(isRustokError(error) && error.iggyCode).toBe(42);
      expect(String((error as Error).message)).not.toContain(`${password}-wrong`);
      // The connector surfaces the same typed error from connect().
      const connector = new RemoteConnector({ addresses: [address!], username, password: `${password}-wrong` });
      try {
        const viaConnector = await rejection(connector.connect());
        expect(isRustokError(viaConnector) && viaConnector.code).toBe('AUTH_FAILED');
      } finally {
        await connector.close();
      }
    } finally {
      await client.close();
    }
  });

  it('a login with a newer protocol is refused with INCOMPATIBLE_SERVER naming both versions', async () => {
    const raw = await dial(address!, undefined, 5_000);
    const socket = new FrameSocket(raw, address!, 1 << 20, { onEviction: () => {}, onClose: () => {} });
    try {
      const body = encodeRequest(loginRegister, {
        protocolVersion: packVersion({ major: 0, minor: 12, patch: 0 }),
        sdkName: 'rustok-test',
        sdkVersion: '0',
        username,
        password: Buffer.from(password),
        context: new Uint8Array(0),
      });
      const frame = encodeRequestFrame({ client: 12345n, request: 0n, operation: 1, session: 0n, code: 0 }, body);
      const answer = await socket.exchange(frame, 5_000, 'login');
      expect(answer.kind).toBe('eviction');
      const error = (() => {
        try {
          replyPayload(answer, 'login');
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(isRustokError(error) && error.code).toBe('INCOMPATIBLE_SERVER');
      expect((error as Error).message).toContain('0.11.');
      expect((error as Error).message).toContain('0.11.0');
    } finally {
      socket.destroy();
    }
  });

  it('large batches sent back to back and concurrently (frame buffers reused) arrive intact', async () => {
    const stream = uniqueName('reuse');
    await connector.ensureStream(stream);
    try {
      await connector.ensureTopic(stream, 't', { partitions: 1 });
      // 200 × 1 KiB per batch: big enough for the connector to keep its frame buffer between sends.
      const batchOf = (tag: number, size: number) =>
        Array.from({ length: 200 }, (_, i) => ({ id: BigInt(tag * 1000 + i + 1), payload: Buffer.alloc(size, (tag * 31 + i) & 0xff) }));
      const batches = [batchOf(1, 1024), batchOf(2, 1024), batchOf(3, 700), batchOf(4, 1500)];
      for (const batch of batches.slice(0, 3)) await connector.send(stream, 't', 0, batch);
      // Two overlapping sends: only one can hold the kept buffer.
      const [fourth, fifth] = [batches[3]!, batchOf(5, 1024)];
      await Promise.all([connector.send(stream, 't', 0, fourth), connector.send(stream, 't', 0, fifth)]);
      const sent = [...batches.slice(0, 3), fourth, fifth].flat();
      const got: { id: bigint; payload: Buffer }[] = [];
      while (got.length < sent.length) {
        const batch = await connector.poll(stream, 't', {
          consumer: { kind: 'consumer', id: 'reuse' },
          partition: 0,
          strategy: { kind: 'offset', value: BigInt(got.length) },
          count: 500,
        });
        expect(batch.messages.length).toBeGreaterThan(0);
        got.push(...batch.messages);
      }
      const byId = new Map(got.map((m) => [m.id, m.payload]));
      expect(byId.size).toBe(sent.length);
      for (const m of sent) expect(byId.get(m.id)?.equals(m.payload)).toBe(true);
    } finally {
      await connector.deleteStream(stream);
    }
  });

  it('cooperative hand-off: an in-flight partition moves only after the owner’s onRevoke committed', async () => {
    const stream = uniqueName('coop');
    await connector.ensureStream(stream);
    try {
      await connector.ensureTopic(stream, 't', { partitions: 2 });
      await connector.send(stream, 't', 0, [{ payload: Buffer.from('p0') }]);
      await connector.send(stream, 't', 1, [{ payload: Buffer.from('p1') }]);
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const revoked: number[] = [];
      const reasons: (boolean | undefined)[] = [];
      const a = await connector.joinGroup(stream, 't', 'g', {
        onRevoke: async (p, info) => {
          revoked.push(...p);
          reasons.push(info?.sessionLost);
          await gate;
        },
      });
      await until('A owns both partitions', () => a.assignment().length === 2);
      // A polls both partitions without committing: both are now in flight.
      for (const p of [0, 1]) {
        const batch = await connector.poll(stream, 't', {
          consumer: { kind: 'group', name: 'g', member: a },
          partition: p,
          strategy: { kind: 'next' },
          count: 10,
        });
        expect(batch.messages).toHaveLength(1);
      }
      const b = await connector.joinGroup(stream, 't', 'g');
      await until('A is asked to revoke one partition', () => revoked.length === 1);
      const p = revoked[0]!;
      await new Promise((r) => setTimeout(r, 600));
      // The server keeps the partition away from B until A commits what it polled.
      expect(b.assignment()).not.toContain(p);
      await connector.storeOffset({ kind: 'group', name: 'g', member: a }, stream, 't', p, 0n);
      release();
      await until('B receives the partition', () => b.assignment().includes(p));
      // A rebalance, not a lost session.
      expect(reasons).toEqual([false]);
      expect(a.assignment()).not.toContain(p);
      await connector.leaveGroup(a);
      await connector.leaveGroup(b);
    } finally {
      await connector.deleteStream(stream);
    }
  });
});

