import { describe, expect, it } from 'vitest';
import type { Consumer, GroupCallbacks, GroupMembership, IggyConnector } from '../../src/types';
import type { SuiteContext } from './context';
import { bytes, deferred, eventually, expectCode, expectCodeOf, sleep, texts, uniqueName } from './helpers';

/** Records the callbacks one member received. */
class Recorder {
  readonly assigned: number[][] = [];
  readonly revoked: number[][] = [];
  readonly callbacks: GroupCallbacks = {
    onAssign: (p) => {
      this.assigned.push([...p]);
    },
    onRevoke: (p) => {
      this.revoked.push([...p]);
    },
  };
}

function as(member: GroupMembership): Consumer {
  return { kind: 'group', name: member.group, member };
}

/** Waits until `members` split all `partitions` between them with exactly `counts` (any order). */
async function settles(
  ctx: SuiteContext,
  members: readonly GroupMembership[],
  partitions: number,
  counts: readonly number[],
): Promise<void> {
  const want = [...counts].sort((a, b) => a - b);
  await eventually(`assignment ${want.join('/')} over ${members.length} members`, ctx.settleMs, () => {
    const owned = members.map((m) => [...m.assignment()]);
    const all = owned.flat().sort((a, b) => a - b);
    const got = owned.map((o) => o.length).sort((a, b) => a - b);
    return (
      all.length === partitions &&
      all.every((p, i) => p === i) &&
      got.every((n, i) => n === want[i])
    );
  });
}

async function pollAs(c: IggyConnector, stream: string, topic: string, member: GroupMembership, partition: number) {
  return c.poll(stream, topic, { consumer: as(member), partition, strategy: { kind: 'next' }, count: 10 });
}

/** Consumer groups: persistence of names, balancing, revoke-before-move, ownership errors. */
export function groupsSuite(ctx: SuiteContext): void {
  describe('consumer groups', () => {
    it('ensureGroup is idempotent; getGroup of a missing group is null; groups are listed', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(3);
      expect(await c.getGroup(stream, topic, 'billing')).toBeNull();
      const created = await c.ensureGroup(stream, topic, 'billing');
      const again = await c.ensureGroup(stream, topic, 'billing');
      expect(again.id).toBe(created.id);
      expect(created).toMatchObject({ name: 'billing', partitions: 3, members: [] });
      await c.ensureGroup(stream, topic, 'audit');
      expect((await c.listGroups(stream, topic)).map((g) => g.name).sort()).toEqual(['audit', 'billing']);
      await expectCode(c.listGroups(stream, 'missing'), 'NOT_FOUND');
    });

    it('a single member gets every partition and onAssign', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(3);
      const rec = new Recorder();
      const m = await c.joinGroup(stream, topic, 'g', rec.callbacks);
      expect(m.active).toBe(true);
      await settles(ctx, [m], 3, [3]);
      await eventually('onAssign of all partitions', ctx.settleMs, () =>
        rec.assigned.flat().sort().join() === '0,1,2',
      );
      const info = await c.getGroup(stream, topic, 'g');
      expect(info!.members).toHaveLength(1);
      expect(info!.members[0]!.partitions).toEqual([0, 1, 2]);
      await c.leaveGroup(m);
    });

    it('rebalances evenly as members join and leave (1 → 2 → 3 → 2 → 1, uneven counts)', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(5);
      const a = await c.joinGroup(stream, topic, 'g');
      await settles(ctx, [a], 5, [5]);
      const b = await c.joinGroup(stream, topic, 'g');
      await settles(ctx, [a, b], 5, [3, 2]);
      const cc = await c.joinGroup(stream, topic, 'g');
      await settles(ctx, [a, b, cc], 5, [2, 2, 1]);
      expect((await c.getGroup(stream, topic, 'g'))!.members).toHaveLength(3);
      await c.leaveGroup(cc);
      expect(cc.active).toBe(false);
      expect(cc.assignment()).toEqual([]);
      await settles(ctx, [a, b], 5, [3, 2]);
      await c.leaveGroup(a);
      await settles(ctx, [b], 5, [5]);
      expect((await c.getGroup(stream, topic, 'g'))!.members).toHaveLength(1);
      await c.leaveGroup(b);
      expect((await c.getGroup(stream, topic, 'g'))!.members).toHaveLength(0);
    });

    it('more members than partitions leaves some members idle', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(2);
      const members = [
        await c.joinGroup(stream, topic, 'g'),
        await c.joinGroup(stream, topic, 'g'),
        await c.joinGroup(stream, topic, 'g'),
      ];
      await settles(ctx, members, 2, [1, 1, 0]);
      for (const m of members) await c.leaveGroup(m);
    });

    it('moves a partition only after the owner’s onRevoke resolved', async ({ skip }) => {
      if (ctx.target.revokeGatesIdleMove === false) {
        skip('this target moves idle partitions at once (see revokeGatesIdleMove)');
      }
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(2);
      await c.send(stream, topic, 0, [{ payload: bytes('p0') }]);
      await c.send(stream, topic, 1, [{ payload: bytes('p1') }]);
      const gate = deferred();
      const revoked: number[][] = [];
      const a = await c.joinGroup(stream, topic, 'g', {
        onRevoke: async (p) => {
          revoked.push([...p]);
          await gate.promise;
        },
      });
      await settles(ctx, [a], 2, [2]);
      const recB = new Recorder();
      const b = await c.joinGroup(stream, topic, 'g', recB.callbacks);
      await eventually('onRevoke of the first member', ctx.settleMs, () => revoked.length > 0);
      const moving = revoked[0]!;
      expect(moving).toHaveLength(1);
      const p = moving[0]!;
      await sleep(200);
      // While the revoke runs, the old owner keeps the partition and may finish and commit.
      expect(b.assignment()).not.toContain(p);
      expect(a.assignment()).toContain(p);
      await expectCode(pollAs(c, stream, topic, b, p), 'PARTITION_NOT_OWNED');
      const inFlight = await pollAs(c, stream, topic, a, p);
      expect(texts(inFlight.messages)).toEqual([`p${p}`]);
      await c.storeOffset(as(a), stream, topic, p, 0n);
      gate.resolve();
      await settles(ctx, [a, b], 2, [1, 1]);
      expect(b.assignment()).toEqual([p]);
      await eventually('onAssign of the moved partition', ctx.settleMs, () =>
        recB.assigned.some((list) => list.includes(p)),
      );
      await expectCode(pollAs(c, stream, topic, a, p), 'PARTITION_NOT_OWNED');
      // The new owner continues after the committed offset.
      expect((await pollAs(c, stream, topic, b, p)).messages).toEqual([]);
      await c.leaveGroup(a);
      await c.leaveGroup(b);
    });

    it('committed offsets are visible to a new member', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      await c.send(stream, topic, 0, ['a', 'b', 'c'].map((v) => ({ payload: bytes(v) })));
      const group = uniqueName('g');
      const a = await c.joinGroup(stream, topic, group);
      await settles(ctx, [a], 1, [1]);
      const first = await c.poll(stream, topic, {
        consumer: as(a),
        partition: 0,
        strategy: { kind: 'next' },
        count: 2,
      });
      expect(texts(first.messages)).toEqual(['a', 'b']);
      await c.storeOffset(as(a), stream, topic, 0, 1n);
      await c.leaveGroup(a);
      expect(await c.getOffset({ kind: 'group', name: group }, stream, topic, 0)).toBe(1n);
      const b = await c.joinGroup(stream, topic, group);
      await settles(ctx, [b], 1, [1]);
      expect(texts((await pollAs(c, stream, topic, b, 0)).messages)).toEqual(['c']);
      await c.leaveGroup(b);
    });

    it('group autoCommit stores the offset for the group', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(1);
      await c.send(stream, topic, 0, [{ payload: bytes('a') }, { payload: bytes('b') }]);
      const m = await c.joinGroup(stream, topic, 'g');
      await settles(ctx, [m], 1, [1]);
      const batch = await c.poll(stream, topic, {
        consumer: as(m),
        partition: 0,
        strategy: { kind: 'next' },
        count: 10,
        autoCommit: true,
      });
      expect(texts(batch.messages)).toEqual(['a', 'b']);
      expect(await c.getOffset({ kind: 'group', name: 'g' }, stream, topic, 0)).toBe(1n);
      await c.leaveGroup(m);
    });

    it('ownership errors: PARTITION_NOT_OWNED, member required, INVALID_OFFSET', async () => {
      const c = ctx.connector;
      const { stream, topic } = await ctx.scratch.topic(2);
      await c.send(stream, topic, 0, [{ payload: bytes('a') }]);
      await c.send(stream, topic, 1, [{ payload: bytes('b') }]);
      const a = await c.joinGroup(stream, topic, 'g');
      const b = await c.joinGroup(stream, topic, 'g');
      await settles(ctx, [a, b], 2, [1, 1]);
      const pa = a.assignment()[0]!;
      const pb = b.assignment()[0]!;
      await expectCode(pollAs(c, stream, topic, a, pb), 'PARTITION_NOT_OWNED');
      await expectCode(c.storeOffset(as(a), stream, topic, pb, 0n), 'PARTITION_NOT_OWNED');
      await expectCode(c.storeOffset(as(a), stream, topic, pa, 5n), 'INVALID_OFFSET');
      await expectCodeOf(
        () =>
          c.poll(stream, topic, {
            consumer: { kind: 'group', name: 'g' },
            partition: pa,
            strategy: { kind: 'next' },
            count: 1,
          }),
        'VALIDATION',
      );
      // While members are active, offsets are stored by the owning member only.
      await expectCodeOf(() => c.storeOffset({ kind: 'group', name: 'g' }, stream, topic, pa, 0n), 'VALIDATION');
      await c.leaveGroup(a);
      expect(a.active).toBe(false);
      await expectCode(pollAs(c, stream, topic, a, pa), 'PARTITION_NOT_OWNED');
      await c.leaveGroup(b);
      // With no active member, the group's offsets may be reset without a member.
      await c.storeOffset({ kind: 'group', name: 'g' }, stream, topic, 0, 0n);
      expect(await c.getOffset({ kind: 'group', name: 'g' }, stream, topic, 0)).toBe(0n);
      await c.deleteOffset({ kind: 'group', name: 'g' }, stream, topic, 0);
      expect(await c.getOffset({ kind: 'group', name: 'g' }, stream, topic, 0)).toBeNull();
    });
  });
}
