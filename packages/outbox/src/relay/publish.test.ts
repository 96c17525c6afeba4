import { ConnectionError } from '@rustok/core';
import { describe, expect, it } from 'vitest';
import { orderEvent } from '../../test/helpers/events';
import { FakeTarget } from '../../test/helpers/fake-target';
import type { ClaimedEvent } from '../stores/types';
import { describeError, publishClaimed } from './publish';

function claimed(tenantId: string, n: number, seq: number): ClaimedEvent {
  const envelope = orderEvent(tenantId, n);
  return { id: envelope.id, seq, tenantId, leaseId: envelope.id, attempts: 0, envelope, createdAt: new Date() };
}

describe('publishClaimed', () => {
  const rows = [claimed('a', 0, 1), claimed('bad', 0, 2), claimed('a', 1, 3), claimed('b', 0, 4), claimed('bad', 1, 5)];

  it('publishes a batch in one call', async () => {
    const target = new FakeTarget();
    const out = await publishClaimed(target, rows, true);
    expect(out.published.size).toBe(5);
    expect(out.failures.size).toBe(0);
    expect(target.batchSizes).toEqual([5]);
  });

  it('after a failure retries tenant by tenant so only the rejected tenant fails', async () => {
    const target = new FakeTarget();
    target.reject = (e) => (e.tenantId === 'bad' ? new Error('tenant bad is blocked') : undefined);
    const out = await publishClaimed(target, rows, true);
    // 'a' #0 went out in the first (partial) attempt, the rest of a and b in their own batches.
    expect([...out.failures.keys()]).toEqual(['bad']);
    expect(out.published).toEqual(new Set(rows.filter((r) => r.tenantId !== 'bad').map((r) => r.id)));
    expect(target.seen().filter((s) => s.tenantId === 'a').map((s) => s.n)).toEqual([0, 1]);
  });

  it('does not isolate tenants when the target as a whole is down', async () => {
    const target = new FakeTarget();
    target.reject = () => new ConnectionError('down');
    const out = await publishClaimed(target, rows, true);
    expect(out.published.size).toBe(0);
    expect([...out.failures.keys()].sort()).toEqual(['a', 'b', 'bad']);
    expect(target.batchSizes).toEqual([5]);
  });

  it('counts ids listed by PARTIAL_PUBLISH as published when not isolating', async () => {
    const target = new FakeTarget();
    target.reject = (e) => (e.tenantId === 'bad' ? new Error('no') : undefined);
    const out = await publishClaimed(target, rows, false);
    expect(out.published).toEqual(new Set([rows[0]!.id]));
    expect([...out.failures.keys()].sort()).toEqual(['a', 'b', 'bad']);
  });

  it('describes errors with their code', () => {
    expect(describeError(new ConnectionError('down'))).toBe('CONNECTION: down');
    expect(describeError(new TypeError('x'))).toBe('TypeError: x');
    expect(describeError('plain')).toBe('plain');
  });
});
