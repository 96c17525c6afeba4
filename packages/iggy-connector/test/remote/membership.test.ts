import { afterEach, describe, expect, it } from 'vitest';
import { createConnector, RemoteConnector } from '../../src/index';
import {
  encodeResponse,
  getConsumerGroup,
  getTopic,
  syncConsumerGroup,
} from '../../src/remote/wire/commands/index';
import { CommandCode } from '../../src/remote/wire/constants';
import { type PeerAction, type PeerRequest, ScriptedPeer } from '../support/scripted-peer';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const PARTITIONS = [0, 1, 2];

/** A scripted group of one topic with three partitions; members are keyed by client id. */
function groupScript(events: string[]) {
  const members = new Map<bigint, number>(); // client id → connection index
  let generation = 0n;
  const topicDetails = {
    topic: {
      id: 0,
      createdAt: 1n,
      partitionsCount: 3,
      messageExpiry: 0n,
      compressionAlgorithm: 1,
      maxTopicSize: 0n,
      sizeBytes: 0n,
      messagesCount: 0n,
      name: 't',
      options: new Uint8Array(0),
      derivedOptions: new Uint8Array(0),
    },
    partitions: PARTITIONS.map((id) => ({ id, createdAt: 1n, segmentsCount: 0, currentOffset: 0n, sizeBytes: 0n, messagesCount: 0n })),
  };
  const script = (req: PeerRequest, peer: ScriptedPeer): PeerAction | undefined => {
    // A closed connection ends its session: forget members whose connection is gone.
    for (const [client, connection] of members) {
      if (connection !== req.connection && peer.openConnections < 2) members.delete(client);
    }
    switch (req.code) {
      case CommandCode.GetTopic:
        return { kind: 'reply', body: encodeResponse(getTopic, topicDetails) };
      case CommandCode.GetConsumerGroup:
        return {
          kind: 'reply',
          body: encodeResponse(getConsumerGroup, {
            group: { id: 0, partitionsCount: 3, membersCount: members.size, name: 'g' },
            members: [...members.keys()].map((_, i) => ({ memberId: i, partitions: i === 0 ? PARTITIONS : [] })),
          }),
        };
      case CommandCode.JoinConsumerGroup:
        events.push(`join:${req.connection}`);
        members.set(req.header.client, req.connection);
        generation += 1n;
        return { kind: 'reply' };
      case CommandCode.LeaveConsumerGroup:
        members.delete(req.header.client);
        generation += 1n;
        return { kind: 'reply' };
      case CommandCode.SyncConsumerGroup:
        return members.has(req.header.client)
          ? { kind: 'reply', body: encodeResponse(syncConsumerGroup, { generation, partitions: PARTITIONS }) }
          : { kind: 'reply' };
      default:
        return undefined;
    }
  };
  return script;
}

describe('RemoteConnector group members (scripted peer)', () => {
  it('a member owns a dedicated connection; on reconnect it revokes everything, then re-joins', async () => {
    const events: string[] = [];
    const peer = await ScriptedPeer.start({ script: groupScript(events) });
    cleanups.push(() => peer.close());
    const connector = new RemoteConnector({
      addresses: [peer.address],
      password: 'iggy',
      groupSyncIntervalMs: 50,
      heartbeatIntervalMs: 60_000,
      reconnect: { initialMs: 20, maxMs: 100, jitter: false },
    });
    cleanups.push(() => connector.close());
    await connector.connect();
    const member = await connector.joinGroup('s', 't', 'g', {
      onAssign: (p) => {
        events.push(`assign:${p.join(',')}`);
      },
      onRevoke: async (p, info) => {
        events.push(`revoke:${p.join(',')}${info?.sessionLost ? ' (session lost)' : ''}`);
        await new Promise((r) => setTimeout(r, 100));
        events.push('revoke-done');
      },
    });
    await until('first assignment', () => events.includes('assign:0,1,2'));
    expect(member.assignment()).toEqual(PARTITIONS);
    // The shared connection is #0; the member logged in on a connection of its own.
    const join = peer.requestsOf(CommandCode.JoinConsumerGroup)[0]!;
    expect(join.connection).not.toBe(0);
    expect(peer.requestsOf(CommandCode.SyncConsumerGroup).every((r) => r.connection === join.connection)).toBe(true);

    peer.dropConnection(join.connection);
    await until('re-joined and re-assigned', () => events.filter((e) => e.startsWith('assign')).length === 2);
    const second = events.findIndex((e, i) => e.startsWith('join') && i > 0);
    expect(events.slice(0, 2)).toEqual([`join:${join.connection}`, 'assign:0,1,2']);
    // The revoke says why: the session ended, so the partitions may already be someone else's.
    expect(events.indexOf('revoke:0,1,2 (session lost)')).toBeGreaterThan(-1);
    expect(events.indexOf('revoke:0,1,2 (session lost)')).toBeLessThan(second);
    expect(events.indexOf('revoke-done')).toBeLessThan(second);
    expect(events.at(-1)).toBe('assign:0,1,2');
    expect(member.active).toBe(true);
    expect(member.assignment()).toEqual(PARTITIONS);

    await connector.leaveGroup(member);
    expect(member.active).toBe(false);
    expect(peer.requestsOf(CommandCode.LeaveConsumerGroup)).toHaveLength(1);
  });

  it('createConnector builds a RemoteConnector for mode remote; health names server and protocol', async () => {
    const peer = await ScriptedPeer.start({ serverVersion: '0.9.0-peer' });
    cleanups.push(() => peer.close());
    const connector = createConnector({ mode: 'remote', remote: { addresses: [peer.address], password: 'iggy' } });
    cleanups.push(() => connector.close());
    expect(connector.mode).toBe('remote');
    expect((await connector.health()).connected).toBe(false);
    await connector.connect();
    const health = await connector.health();
    expect(health).toMatchObject({
      status: 'healthy',
      mode: 'remote',
      connected: true,
      serverVersion: '0.9.0-peer',
      protocol: '0.11.0',
      location: peer.address,
    });
    await connector.close();
    expect((await connector.health()).status).toBe('unhealthy');
  });
});
