import { IGGY_SERVER_CMD_ENV, type IggyProcess, startIggyProcess } from '@rustok/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteConnector } from '../../src/index';

// Restart of the Iggy server under a connected connector: the suite starts its own server with
// IGGY_SERVER_CMD, stops it (SIGTERM, SIGKILL after a grace period) and starts it again on the
// same data, never with --fresh. (The transport-level run through a restart — a consumer group
// of IggyTransport with several tenants — lives in @rustok/iggy, test/e2e/remote-restart.)
const command = process.env[IGGY_SERVER_CMD_ENV]?.trim();
if (!command) console.log(`[remote restart] skipped: ${IGGY_SERVER_CMD_ENV} is not set (see docs/remote.md)`);

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(!command)('remote connector through a server restart', () => {
  let server: IggyProcess;

  beforeAll(async () => {
    server = await startIggyProcess({ command: command! });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  it('reconnects, revokes, re-joins as one member, and keeps data and committed offsets', async () => {
    const connector = new RemoteConnector({
      addresses: [server.address],
      username: server.username,
      password: server.password,
      requestTimeoutMs: 5_000,
      reconnect: { initialMs: 50, maxMs: 500, jitter: true },
      groupSyncIntervalMs: 200,
    });
    try {
      await connector.connect();
      await connector.ensureStream('r');
      await connector.ensureTopic('r', 't', { partitions: 2 });
      await connector.send('r', 't', 0, [{ payload: Buffer.from('a0') }, { payload: Buffer.from('a1') }]);
      const events: string[] = [];
      const member = await connector.joinGroup('r', 't', 'g', {
        onAssign: (p) => void events.push(`assign ${p.join(',')}`),
        onRevoke: (p) => void events.push(`revoke ${p.join(',')}`),
      });
      await until('the member owns both partitions', () => member.assignment().length === 2);
      const group = { kind: 'group' as const, name: 'g', member };
      await connector.storeOffset(group, 'r', 't', 0, 0n);

      await server.stop();
      await until('the connector notices', async () => (await connector.health()).status !== 'healthy');
      await server.start();

      // The member revoked everything, re-joined on a new session and got both partitions back;
      // its session from before the restart was logged out, so the group has exactly one member.
      await until('the member is assigned again', () => events.length >= 3 && member.assignment().length === 2);
      expect(events[0]).toBe('assign 0,1');
      expect(events[1]).toBe('revoke 0,1');
      expect(events.at(-1)).toMatch(/^assign /);
      await until('the server lists one member', async () => (await connector.getGroup('r', 't', 'g'))?.members.length === 1);
      expect((await connector.health()).status).toBe('healthy');

      // Messages and the committed offset survived; polling continues after it.
      expect(await connector.getOffset({ kind: 'group', name: 'g' }, 'r', 't', 0)).toBe(0n);
      await connector.send('r', 't', 0, [{ payload: Buffer.from('a2') }]);
      const batch = await connector.poll('r', 't', {
        consumer: group,
        partition: 0,
        strategy: { kind: 'next' },
        count: 10,
      });
      expect(batch.messages.map((m) => m.payload.toString())).toEqual(['a1', 'a2']);
      await connector.leaveGroup(member);
    } finally {
      await connector.close();
    }
  }, 90_000);
});
