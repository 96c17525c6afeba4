import { isRustokError } from '@rustok/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteConnector } from '../../src/index';
import { IggyClient } from '../../src/remote/connection/client';
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

const address = process.env.IGGY_ADDRESS?.split(',')[0]?.trim();
const username = process.env.IGGY_USERNAME ?? 'iggy';
const password = process.env.IGGY_PASSWORD ?? 'iggy';

if (!address) console.log('[remote real-server] skipped: IGGY_ADDRESS is not set');

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Behaviour only a real Iggy 0.9.x server can show (skipped without IGGY_ADDRESS).
describe.skipIf(!address)('remote connector against a real Iggy server', () => {
  let connector: RemoteConnector;

  beforeAll(async () => {
    connector = new RemoteConnector({ addresses: [address!], username, password, groupSyncIntervalMs: 200 });
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

  it('logs in with a personal access token and reads stats', async () => {
    const admin = new IggyClient({ addresses: [address!], credentials: { kind: 'password', username, password } });
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
      const error = await client.connect().then(() => undefined, (e: unknown) => e);
      expect(isRustokError(error) && error.code).toBe('AUTH_FAILED');
      expect(isRustokError(error) && error.details.evictionReason).toBe(9);
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
      const a = await connector.joinGroup(stream, 't', 'g', {
        onRevoke: async (p) => {
          revoked.push(...p);
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
      expect(a.assignment()).not.toContain(p);
      await connector.leaveGroup(a);
      await connector.leaveGroup(b);
    } finally {
      await connector.deleteStream(stream);
    }
  });
});

