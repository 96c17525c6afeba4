import type { EventEnvelope } from '@rustok/core';
import { afterEach, describe, expect, it } from 'vitest';
import { tenantPartition } from '../src/index';
import { sleep, steps, waitFor } from './e2e/helpers';
import { type Harness, openHarness } from './helpers';

const PARTITIONS = 2;

/** One tenant per partition. */
function tenantPerPartition(): string[] {
  const byPartition = new Map<number, string>();
  for (let i = 0; byPartition.size < PARTITIONS; i++) {
    const tenant = `drain-${i}`;
    const p = tenantPartition(tenant, PARTITIONS);
    if (!byPartition.has(p)) byPartition.set(p, tenant);
  }
  return [...byPartition.entries()].sort(([a], [b]) => a - b).map(([, t]) => t);
}

describe('revoking a partition during a rebalance', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
  });

  /**
   * Member a polls every event at once (one batch per partition) and works slowly; member b
   * joins after a few events, so one partition is revoked from a. Returns who handled what.
   */
  async function rebalance(revokeDrainMs: number | undefined) {
    harness = await openHarness({
      topics: { domain: { partitions: PARTITIONS }, system: { partitions: 1 }, dlq: { partitions: 1 } },
    });
    const { transport } = harness;
    const tenants = tenantPerPartition();
    const events = steps(tenants, 30);
    await transport.publishBatch(events);
    const handledBy = new Map<string, string[]>();
    const options = (member: string) => ({
      concurrency: 1,
      pollBatchSize: 100,
      pollWaitMs: 20,
      ...(revokeDrainMs === undefined ? {} : { revokeDrainMs }),
      handler: async (event: EventEnvelope) => {
        await sleep(8);
        handledBy.set(event.id, [...(handledBy.get(event.id) ?? []), member]);
      },
    });
    const a = await transport.subscribe('drain', options('a'));
    await waitFor(() => handledBy.size >= 4, 'member a to start');
    const b = await transport.subscribe('drain', options('b'));
    await waitFor(() => handledBy.size === events.length, 'every event');
    await waitFor(() => b.assignment()[0]!.partitions.length === 1, 'member b to own a partition');
    const moved = b.assignment()[0]!.partitions;
    await b.close();
    await a.close();
    expect(moved).toHaveLength(1);
    const movedTenant = tenants[moved[0]!]!;
    const movedEvents = events.filter((e) => e.tenantId === movedTenant);
    return {
      byB: movedEvents.filter((e) => handledBy.get(e.id)?.includes('b')).length,
      duplicates: [...handledBy.values()].filter((who) => who.length > 1).length,
      total: movedEvents.length,
    };
  }

  it('by default the owner finishes what it polled before the partition moves', async () => {
    const { byB, duplicates } = await rebalance(undefined);
    // Everything of the moved partition had been polled by a, so a drained it all.
    expect(byB).toBe(0);
    expect(duplicates).toBe(0);
  });

  it('revokeDrainMs: 0 releases at once; the next owner handles what was still queued', async () => {
    const { byB, duplicates, total } = await rebalance(0);
    expect(byB).toBeGreaterThan(0);
    expect(byB).toBeLessThan(total);
    expect(duplicates).toBe(0);
  });
});
