import { makeTempDir, type TempDir } from '@rustok/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedConnector, type GroupMembership } from '../../src/index';

const open = async (dataDir: string): Promise<EmbeddedConnector> => {
  const c = new EmbeddedConnector({ dataDir });
  await c.connect();
  return c;
};

async function settled(members: readonly GroupMembership[], partitions: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (members.flatMap((m) => m.assignment()).length !== partitions) {
    if (Date.now() > deadline) throw new Error('assignment did not settle');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('embedded connector restart', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await makeTempDir('rustok-restart-');
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('keeps topology, messages, offsets and group names; members re-join with a fresh assignment', async () => {
    const before = await open(dir.path);
    await before.ensureStream('s');
    await before.ensureTopic('s', 't', { partitions: 4, messageExpiryMs: 86_400_000 });
    for (let p = 0; p < 4; p++) {
      await before.send('s', 't', p, [{ payload: Buffer.from(`p${p}-a`) }, { payload: Buffer.from(`p${p}-b`) }]);
    }
    const a = await before.joinGroup('s', 't', 'billing');
    const b = await before.joinGroup('s', 't', 'billing');
    await settled([a, b], 4);
    const ownedByA = a.assignment()[0]!;
    await before.storeOffset({ kind: 'group', name: 'billing', member: a }, 's', 't', ownedByA, 0n);
    await before.storeOffset({ kind: 'consumer', id: 9 }, 's', 't', 3, 1n);
    await before.close();
    expect(a.active).toBe(false);
    expect(b.active).toBe(false);
    expect(a.assignment()).toEqual([]);

    const after = await open(dir.path);
    try {
      const topic = await after.getTopic('s', 't');
      expect(topic).toMatchObject({ partitions: 4, messageExpiryMs: 86_400_000, messagesCount: 8n });
      const group = await after.getGroup('s', 't', 'billing');
      expect(group).toMatchObject({ name: 'billing', members: [] });
      expect(await after.getOffset({ kind: 'group', name: 'billing' }, 's', 't', ownedByA)).toBe(0n);
      expect(await after.getOffset({ kind: 'consumer', id: 9 }, 's', 't', 3)).toBe(1n);

      const c = await after.joinGroup('s', 't', 'billing');
      await settled([c], 4);
      expect(c.assignment()).toEqual([0, 1, 2, 3]);
      const batch = await after.poll('s', 't', {
        consumer: { kind: 'group', name: 'billing', member: c },
        partition: ownedByA,
        strategy: { kind: 'next' },
        count: 10,
      });
      expect(batch.messages.map((m) => m.payload.toString())).toEqual([`p${ownedByA}-b`]);
      // Offsets continue after a restart.
      const { baseOffset } = await after.send('s', 't', 0, [{ payload: Buffer.from('p0-c') }]);
      expect(baseOffset).toBe(2n);
    } finally {
      await after.close();
    }
  });

  it('deleted streams and topics stay deleted, and ids are not reused', async () => {
    const before = await open(dir.path);
    await before.ensureStream('gone');
    await before.ensureStream('kept');
    await before.ensureTopic('kept', 'old', { partitions: 1 });
    await before.send('kept', 'old', 0, [{ payload: Buffer.from('x') }]);
    const oldTopic = await before.getTopic('kept', 'old');
    await before.deleteTopic('kept', 'old');
    await before.deleteStream('gone');
    await before.close();

    const after = await open(dir.path);
    try {
      expect(await after.getStream('gone')).toBeNull();
      expect(await after.getTopic('kept', 'old')).toBeNull();
      const recreated = await after.ensureTopic('kept', 'old', { partitions: 1 });
      expect(recreated.id).not.toBe(oldTopic!.id);
      expect(recreated.messagesCount).toBe(0n);
    } finally {
      await after.close();
    }
  });
});
