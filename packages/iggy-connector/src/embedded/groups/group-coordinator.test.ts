import { noopLogger } from '@rustok/core';
import { describe, expect, it, vi } from 'vitest';
import type { GroupCallbacks } from '../../types';
import { GroupCoordinator } from './group-coordinator';
import { EmbeddedMembership } from './membership';

const owner = {};
let nextId = 0;

function member(callbacks: GroupCallbacks = {}): EmbeddedMembership {
  const m = new EmbeddedMembership({
    owner,
    stream: 's',
    topic: 't',
    group: 'g',
    memberId: `m${nextId++}`,
    callbacks,
    logger: noopLogger,
  });
  m.openCallbacks();
  return m;
}

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCoordinator', () => {
  it('grants free partitions at once and calls onAssign', async () => {
    const onAssign = vi.fn();
    const g = new GroupCoordinator({ partitionCount: 3, rebalanceTimeoutMs: 1000, logger: noopLogger });
    const a = member({ onAssign });
    g.join(a);
    expect(a.assignment()).toEqual([0, 1, 2]);
    await tick();
    expect(onAssign).toHaveBeenCalledWith([0, 1, 2]);
  });

  it('moves a partition only after the owner’s onRevoke resolved', async () => {
    let release!: () => void;
    const revoked: number[][] = [];
    const g = new GroupCoordinator({ partitionCount: 2, rebalanceTimeoutMs: 10_000, logger: noopLogger });
    const a = member({
      onRevoke: (p) => {
        revoked.push([...p]);
        return new Promise<void>((r) => {
          release = r;
        });
      },
    });
    g.join(a);
    const onAssignB = vi.fn();
    const b = member({ onAssign: onAssignB });
    g.join(b);
    await tick();
    expect(revoked).toEqual([[1]]);
    expect(a.assignment()).toEqual([0, 1]);
    expect(b.assignment()).toEqual([]);
    release();
    await tick();
    expect(a.assignment()).toEqual([0]);
    expect(b.assignment()).toEqual([1]);
    expect(onAssignB).toHaveBeenCalledWith([1]);
  });

  it('forces the move when onRevoke does not resolve in time', async () => {
    const g = new GroupCoordinator({ partitionCount: 2, rebalanceTimeoutMs: 50, logger: noopLogger });
    const a = member({ onRevoke: () => new Promise<void>(() => {}) });
    g.join(a);
    const b = member();
    g.join(b);
    await new Promise((r) => setTimeout(r, 120));
    expect(a.assignment()).toEqual([0]);
    expect(b.assignment()).toEqual([1]);
  });

  it('frees a leaver’s partitions without onRevoke and hands them to the rest', async () => {
    const onRevoke = vi.fn();
    const g = new GroupCoordinator({ partitionCount: 4, rebalanceTimeoutMs: 1000, logger: noopLogger });
    const a = member();
    const b = member({ onRevoke });
    g.join(a);
    g.join(b);
    await tick();
    await tick();
    expect(a.assignment().length + b.assignment().length).toBe(4);
    g.leave(b);
    expect(b.active).toBe(false);
    expect(a.assignment()).toEqual([0, 1, 2, 3]);
    await tick();
    expect(onRevoke).not.toHaveBeenCalled();
  });

  it('keeps callbacks of one member in order and survives a throwing callback', async () => {
    const calls: string[] = [];
    const g = new GroupCoordinator({ partitionCount: 2, rebalanceTimeoutMs: 1000, logger: noopLogger });
    const a = member({
      onAssign: async (p) => {
        await new Promise((r) => setTimeout(r, 20));
        calls.push(`assign ${p.join()}`);
        throw new Error('boom');
      },
      onRevoke: (p) => {
        calls.push(`revoke ${p.join()}`);
      },
    });
    g.join(a);
    g.join(member());
    await new Promise((r) => setTimeout(r, 60));
    expect(calls).toEqual(['assign 0,1', 'revoke 1']);
    expect(a.assignment()).toEqual([0]);
  });

  it('dissolve drops every member', () => {
    const g = new GroupCoordinator({ partitionCount: 2, rebalanceTimeoutMs: 1000, logger: noopLogger });
    const a = member();
    g.join(a);
    g.dissolve();
    expect(a.active).toBe(false);
    expect(a.assignment()).toEqual([]);
    expect(g.members()).toEqual([]);
  });
});
