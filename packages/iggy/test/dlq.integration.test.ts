import type { EventEnvelope } from '@rustok/core';
import { afterEach, describe, expect, it } from 'vitest';
import { tenantPartition } from '../src/index';
import { type Harness, openHarness, order, paid, waitFor } from './helpers';

describe('DLQ on the embedded engine', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.cleanup();
    h = undefined;
  });

  it('dead-letters poison events, lists/filters/summarises them, and redrives after a fix', async () => {
    h = await openHarness();
    const { transport } = h;
    let fixed = false;
    const handled: EventEnvelope[] = [];
    const sub = await transport.subscribe('billing', {
      topics: ['domain'],
      retry: { maxAttempts: 2, backoff: 'fixed', initialDelayMs: 1 },
      handler: async (event) => {
        const amount = (event.payload as { amount?: number }).amount;
        if (amount === 13 && !fixed) throw new Error(`poison amount ${amount}`);
        handled.push(event);
      },
    });
    const poisonA = order('tenant-a', 13);
    const poisonB = order('tenant-b', 13);
    const fine = [order('tenant-a', 1), paid('tenant-b', 2), order('tenant-a', 3)];
    for (const event of [fine[0]!, poisonA, fine[1]!, poisonB, fine[2]!]) await transport.publish(event);
    await waitFor(async () => (await transport.dlq.summary()).total === 2 && handled.length === 3);

    const entries = await transport.dlq.list();
    expect(entries.map((e) => e.eventId).sort()).toEqual([poisonA.id, poisonB.id].sort());
    const entryA = entries.find((e) => e.eventId === poisonA.id)!;
    expect(entryA).toMatchObject({
      tenantId: 'tenant-a',
      eventType: 'order.created',
      group: 'billing',
      attempts: 2,
      status: 'pending',
      source: { topic: 'domain', partition: tenantPartition('tenant-a', 8) },
    });
    expect(entryA.error.message).toContain('poison amount 13');
    expect(entryA.firstFailureAt).toBeInstanceOf(Date);
    expect((await transport.dlq.list({ tenantId: 'tenant-b' })).map((e) => e.eventId)).toEqual([poisonB.id]);
    expect(await transport.dlq.list({ group: 'shipping' })).toEqual([]);
    expect(await transport.dlq.list({ type: 'order.paid' })).toEqual([]);
    expect((await transport.dlq.list({ since: new Date(Date.now() + 60_000) })).length).toBe(0);
    expect(await transport.dlq.summary()).toMatchObject({
      total: 2,
      pending: 2,
      redriven: 0,
      byGroup: { billing: 2 },
      byType: { 'order.created': 2 },
    });
    const health = await transport.health();
    expect(health.details.groups).toHaveProperty('billing.total');
    const detail = await transport.dlq.show(entryA.id);
    expect(JSON.parse(detail.payload.toString('utf8')).id).toBe(poisonA.id);

    fixed = true;
    const report = await transport.dlq.redrive({ tenantId: 'tenant-a' });
    expect(report.redriven.map((r) => r.eventId)).toEqual([poisonA.id]);
    await waitFor(() => handled.some((e) => e.id === poisonA.id));
    // The redriven event lands after the tenant's later events.
    const tenantA = handled.filter((e) => e.tenantId === 'tenant-a').map((e) => e.id);
    expect(tenantA).toEqual([fine[0]!.id, fine[2]!.id, poisonA.id]);
    expect(await transport.dlq.summary()).toMatchObject({ pending: 1, redriven: 1 });
    expect((await transport.dlq.redrive(entryA.id)).skipped).toEqual([
      { entryId: entryA.id, reason: 'already-redriven' },
    ]);
    await sub.close();
  });
});
