import type { EventEnvelope } from '@rustok/core';
import { RemoteConnector, resolveConnectorConfig } from '@rustok/iggy-connector';
import { IGGY_SERVER_CMD_ENV, type IggyProcess, iggyServerOf, startIggyProcess } from '@rustok/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IggyTransport } from '../../src/index';
import { orderProblem, type StepPayload, sleep, steps, tenantIds, waitFor } from './helpers';

// A consumer group keeps going through a restart of the Iggy server: the suite starts its own
// server with IGGY_SERVER_CMD, stops it (SIGTERM, SIGKILL after a grace period) while the group
// is consuming, and starts it again on the same data (never with --fresh).
const command = process.env[IGGY_SERVER_CMD_ENV]?.trim();
if (!command) console.log(`[remote restart e2e] skipped: ${IGGY_SERVER_CMD_ENV} is not set (see docs/remote.md)`);

const seqOf = (event: EventEnvelope) => (event.payload as StepPayload).seq;

describe.skipIf(!command)('IggyTransport through an Iggy server restart', () => {
  let server: IggyProcess;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    server = await startIggyProcess({ command: command! });
  }, 120_000);

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await server?.close();
  });

  async function transport(): Promise<IggyTransport> {
    const config = resolveConnectorConfig({ mode: 'remote' }, iggyServerOf(server).env).remote;
    const connector = new RemoteConnector({
      ...config,
      requestTimeoutMs: 5_000,
      reconnect: { initialMs: 100, maxMs: 1_000, jitter: true },
      groupSyncIntervalMs: 500,
    });
    await connector.connect();
    const t = await IggyTransport.create({
      connector,
      stream: 'restart',
      topics: { domain: { partitions: 4 }, system: { partitions: 1 }, dlq: { partitions: 1 } },
    });
    closers.push(async () => {
      await t.close();
      await connector.close();
    });
    return t;
  }

  it('reconnects, re-joins and finishes with nothing lost and per-tenant order intact', async () => {
    const publisher = await transport();
    const tenants = tenantIds('restart', 12);
    const before = steps(tenants, 60, 0);
    await publisher.publishBatch(before);

    const seqs = new Map<string, number[]>();
    const handled = new Set<string>();
    const running = new Set<string>();
    let overlaps = 0;
    const handler = async (event: EventEnvelope) => {
      if (running.has(event.tenantId)) overlaps += 1;
      running.add(event.tenantId);
      await sleep(2);
      seqs.set(event.tenantId, [...(seqs.get(event.tenantId) ?? []), seqOf(event)]);
      running.delete(event.tenantId);
      handled.add(event.id);
    };
    // Two members of one group, each on its own connector (as two processes would be).
    const options = { topics: ['domain'], concurrency: 4, pollWaitMs: 50, commitIntervalMs: 50, handler };
    const a = await (await transport()).subscribe('survivors', options);
    const b = await (await transport()).subscribe('survivors', options);

    await waitFor(() => handled.size >= before.length / 3, 'progress before the restart');
    await server.stop();
    const handledWhileDown = handled.size;
    await sleep(500);
    await server.start();

    // After the restart: the publisher reconnects too, and the group picks the new events up.
    const after = steps(tenants, 40, 1).map((e, i) => ({ ...e, payload: { seq: 60 + Math.floor(i / tenants.length), phase: 1 } }));
    await publisher.publishBatch(after);
    const all = [...before, ...after];
    await waitFor(() => all.every((e) => handled.has(e.id)), 'every event after the restart', 60_000);
    await a.close();
    await b.close();

    expect(handledWhileDown).toBeLessThan(all.length);
    expect(overlaps).toBe(0);
    const problems = tenants.flatMap((t) => {
      const problem = orderProblem(seqs.get(t) ?? [], 100);
      return problem === null ? [] : [`${t} ${problem}`];
    });
    expect(problems).toEqual([]);
    const lag = await publisher.lag('survivors', { topics: ['domain'] });
    expect(lag.total).toBe(0n);
  }, 120_000);
});
