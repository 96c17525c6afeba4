import type { EventEnvelope, HandlerContext } from '@rustok/core';
import type { IggyConnector } from '@rustok/iggy-connector';
import { afterEach, describe, expect, it } from 'vitest';
import { IggyTransport, type ReplayedEvent } from '../../src/index';
import {
  type E2EEnvironment,
  type E2EEnvironmentFactory,
  eventually,
  minBigInt,
  orderProblem,
  type StepPayload,
  sleep,
  steps,
  tenantIds,
  waitFor,
} from './helpers';

export type { E2EEnvironment, E2EEnvironmentFactory } from './helpers';

/** Topics of the small scenarios: 4 domain partitions keep several tenants per partition. */
const SMALL_TOPICS = { domain: { partitions: 4 }, system: { partitions: 1 }, dlq: { partitions: 2 } };

const seqOf = (event: EventEnvelope) => (event.payload as StepPayload).seq;
const position = (ctx: HandlerContext) => `${ctx.partition}:${ctx.offset}`;

/**
 * The end-to-end suite of `IggyTransport`, written against any connector: `factory` gives each
 * test fresh storage it can open, crash and reopen. Run it once per connector kind.
 */
export function runTransportE2E(name: string, factory: E2EEnvironmentFactory): void {
  describe(`IggyTransport end to end (${name})`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    });

    /** A fresh environment whose transports and connectors are closed after the test. */
    async function environment(): Promise<E2EEnvironment> {
      const env = await factory();
      cleanups.push(() => env.cleanup());
      return env;
    }

    async function transportOn(
      env: E2EEnvironment,
      connector: IggyConnector,
      topics: Record<string, { partitions: number }> = SMALL_TOPICS,
    ): Promise<IggyTransport> {
      const transport = await IggyTransport.create({ connector, stream: env.stream, topics });
      cleanups.push(async () => {
        await transport.close().catch(() => undefined);
        await connector.close().catch(() => undefined);
      });
      return transport;
    }

    it('50 tenants × 200 events through a 3-member group that changes mid-stream', async () => {
      const env = await environment();
      const transport = await transportOn(env, await env.open(), {
        domain: { partitions: 8 },
        system: { partitions: 1 },
        dlq: { partitions: 1 },
      });
      const tenants = tenantIds('tenant', 50);
      const events = steps(tenants, 200);
      const total = events.length;
      await transport.publishBatch(events.slice(0, total / 2));

      const seqs = new Map<string, number[]>();
      const done = new Set<string>();
      const byMember = new Map<string, number>();
      const running = new Set<string>();
      let overlaps = 0;
      const options = (member: string) => ({
        topics: ['domain'],
        concurrency: 4,
        pollWaitMs: 50,
        commitIntervalMs: 100,
        handler: async (event: EventEnvelope) => {
          // A tenant never has two events in a handler at once…
          if (running.has(event.tenantId)) overlaps += 1;
          running.add(event.tenantId);
          await sleep(Math.floor(Math.random() * 3));
          // …and finishes them in publish order.
          const list = seqs.get(event.tenantId) ?? [];
          list.push(seqOf(event));
          seqs.set(event.tenantId, list);
          running.delete(event.tenantId);
          done.add(event.id);
          byMember.set(member, (byMember.get(member) ?? 0) + 1);
        },
      });
      const changesAt: number[] = [];
      const a = await transport.subscribe('churn', options('a'));
      const publishing = transport.publishBatch(events.slice(total / 2));
      await waitFor(() => done.size >= 1500, 'member b to join');
      changesAt.push(done.size);
      const b = await transport.subscribe('churn', options('b'));
      await waitFor(() => done.size >= 3500, 'member c to join');
      changesAt.push(done.size);
      const c = await transport.subscribe('churn', options('c'));
      await waitFor(() => done.size >= 5500, 'member a to leave');
      changesAt.push(done.size);
      await a.close();
      await waitFor(() => done.size >= 7500, 'member b to leave');
      changesAt.push(done.size);
      await b.close();
      await publishing;
      await waitFor(() => done.size === total, 'every event to be handled', 40_000);
      await c.close();

      // Every membership change happened while events were still flowing.
      expect(changesAt.every((n) => n < total)).toBe(true);
      expect([...byMember.keys()].sort()).toEqual(['a', 'b', 'c']);
      // Each tenant's events arrive in publish order (redeliveries rewind, never skip).
      expect(overlaps).toBe(0);
      const problems = tenants.flatMap((t) => {
        const problem = orderProblem(seqs.get(t) ?? [], 200);
        return problem === null ? [] : [`${t} ${problem}`];
      });
      expect(problems).toEqual([]);
      // Once the group settled, its offsets are committed to the end.
      const lag = await transport.lag('churn', { topics: ['domain'] });
      expect(lag.total).toBe(0n);
      for (const p of lag.topics[0]!.partitions) expect(p.committed).toBe(p.last);
    });

    it('dead-letters only a poison tenant, keeps its neighbours fast, and redrives after a fix', async () => {
      const env = await environment();
      const transport = await transportOn(env, await env.open());
      const tenants = tenantIds('shop', 16);
      const perTenant = 50;
      const events = steps(tenants, perTenant);
      const receipts = await transport.publishBatch(events);
      const partitionOf = new Map(events.map((e, i) => [e.tenantId, receipts[i]!.partition!]));
      // The poison tenant is one whose partition it shares with the most other tenants.
      const sharing = (t: string) => tenants.filter((u) => partitionOf.get(u) === partitionOf.get(t));
      const poison = [...tenants].sort((x, y) => sharing(y).length - sharing(x).length)[0]!;
      const neighbours = sharing(poison).filter((t) => t !== poison);
      expect(neighbours.length).toBeGreaterThan(0);

      let fixed = false;
      const attempts = new Map<string, number>();
      const handledByGroup = new Map<string, Map<string, number[]>>();
      const redelivered: boolean[] = [];
      async function run(group: string, failPoison: boolean) {
        const handled = new Map<string, number[]>();
        handledByGroup.set(group, handled);
        const started = performance.now();
        const sub = await transport.subscribe(group, {
          topics: ['domain'],
          concurrency: 8,
          pollWaitMs: 50,
          retry: { maxAttempts: 3, backoff: 'fixed', initialDelayMs: 25 },
          handler: async (event, ctx) => {
            if (failPoison && event.tenantId === poison && !fixed) {
              attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1);
              throw new Error('poison pill');
            }
            await sleep(4);
            if (event.tenantId === poison && fixed) redelivered.push(ctx.redelivered);
            handled.set(event.tenantId, [...(handled.get(event.tenantId) ?? []), seqOf(event)]);
          },
        });
        await waitFor(
          () => neighbours.every((t) => handled.get(t)?.length === perTenant),
          `neighbours of ${poison} in ${group}`,
        );
        return { sub, elapsed: performance.now() - started, handled };
      }

      const steady = await run('steady', false);
      await steady.sub.close();
      const poisoned = await run('poisoned', true);
      // Other tenants on the poison tenant's partition finish in at most twice the clean time.
      expect(poisoned.elapsed).toBeLessThanOrEqual(2 * steady.elapsed);

      await waitFor(() => attempts.size === perTenant && [...attempts.values()].every((n) => n === 3), 'poison attempts');
      let entries = await transport.dlq.list({ group: 'poisoned' });
      await eventually(async () => {
        entries = await transport.dlq.list({ group: 'poisoned' });
        return entries.length >= perTenant;
      }, 'the dead letters');
      const poisonIds = events.filter((e) => e.tenantId === poison).map((e) => e.id);
      expect(entries.map((e) => e.eventId).sort()).toEqual([...poisonIds].sort());
      expect(new Set(entries.map((e) => e.tenantId))).toEqual(new Set([poison]));
      expect(entries.every((e) => e.attempts === 3 && e.error.code === 'HANDLER_FAILED')).toBe(true);
      expect(poisoned.handled.get(poison)).toBeUndefined();
      // every other tenant finished too
      await waitFor(
        () => tenants.every((t) => t === poison || poisoned.handled.get(t)?.length === perTenant),
        'all healthy tenants',
      );

      // The fix ships; the DLQ redrive completes the poison tenant's events in their order.
      fixed = true;
      const report = await transport.dlq.redrive({ group: 'poisoned', tenantId: poison });
      expect(report.redriven).toHaveLength(perTenant);
      await waitFor(() => poisoned.handled.get(poison)?.length === perTenant, 'redriven events');
      expect(poisoned.handled.get(poison)).toEqual(Array.from({ length: perTenant }, (_, i) => i));
      expect(redelivered.every(Boolean)).toBe(true);
      await poisoned.sub.close();
      expect((await transport.lag('poisoned', { topics: ['domain'] })).total).toBe(0n);
      expect(await transport.dlq.list({ group: 'poisoned', status: 'pending' })).toHaveLength(0);
    });

    it('a consumer killed mid-batch reprocesses only uncommitted events after restart and loses none', async () => {
      const env = await environment();
      const first = await env.open();
      const transport1 = await transportOn(env, first);
      const tenants = tenantIds('crash', 10);
      const events = steps(tenants, 100);
      const receipts = await transport1.publishBatch(events);
      const all = receipts.map((r) => `${r.partition}:${r.offset}`);

      const run1 = new Set<string>();
      let trigger: string | undefined;
      let crash: Promise<void> | undefined;
      const sub1 = await transport1.subscribe('crashy', {
        topics: ['domain'],
        concurrency: 8,
        pollBatchSize: 50,
        pollWaitMs: 50,
        commitIntervalMs: 20,
        handler: async (_event, ctx) => {
          if (crash !== undefined) return; // the process is gone: nothing it does counts
          run1.add(position(ctx));
          await sleep(1);
          if (run1.size >= events.length / 2 && crash === undefined) {
            trigger = position(ctx);
            crash = env.crash(first);
            await crash;
          }
        },
      });
      await waitFor(() => crash !== undefined, 'the crash');
      await crash;
      await sub1.close().catch(() => undefined);

      const second = await env.open();
      const transport2 = await transportOn(env, second);
      const committed = new Map<number, bigint>();
      for (let p = 0; p < SMALL_TOPICS.domain.partitions; p++) {
        const offset = await second.getOffset({ kind: 'group', name: 'crashy' }, env.stream, 'domain', p);
        committed.set(p, offset ?? -1n);
      }
      const uncommitted = receipts
        .filter((r) => r.offset! > committed.get(r.partition!)!)
        .map((r) => `${r.partition}:${r.offset}`);
      const run2: string[] = [];
      const sub2 = await transport2.subscribe('crashy', {
        topics: ['domain'],
        pollWaitMs: 50,
        handler: (_event, ctx) => void run2.push(position(ctx)),
      });
      await waitFor(() => uncommitted.every((k) => run2.includes(k)), 'the restarted consumer');
      await sleep(100);
      await sub2.close();

      // Something was committed before the crash, and the event in flight at the crash was not.
      expect([...committed.values()].some((o) => o >= 0n)).toBe(true);
      expect(uncommitted).toContain(trigger);
      // Only uncommitted events are reprocessed, each of them is, and nothing is lost.
      expect(new Set(run2)).toEqual(new Set(uncommitted));
      const union = new Set([...run1, ...run2]);
      expect(all.filter((k) => !union.has(k))).toEqual([]);
      expect((await transport2.lag('crashy', { topics: ['domain'] })).total).toBe(0n);
    });

    it('replays by timestamp exactly the later events in partition order, and resets a group to it', async () => {
      const env = await environment();
      const connector = await env.open();
      const transport = await transportOn(env, connector);
      const tenants = tenantIds('replay', 6);
      const before = steps(tenants, 20, 0);
      await transport.publishBatch(before);
      await sleep(5);
      const after = steps(tenants, 20, 1);
      const receipts = await transport.publishBatch(after);

      // The broker time of the first later event: the cut-off.
      const stamps = await Promise.all(
        receipts.map(async (r) => {
          const batch = await connector.poll(env.stream, 'domain', {
            consumer: { kind: 'consumer', id: 'e2e-probe' },
            partition: r.partition!,
            strategy: { kind: 'offset', value: r.offset! },
            count: 1,
          });
          return batch.messages[0]!.timestamp;
        }),
      );
      const cut = minBigInt(stamps);

      const replayed: ReplayedEvent[] = [];
      for await (const r of transport.replay({ topic: 'domain', from: { timestamp: cut } })) replayed.push(r);
      expect(replayed.map((r) => r.event.id).sort()).toEqual(after.map((e) => e.id).sort());
      expect(replayed.every((r) => r.timestamp >= cut)).toBe(true);
      // Partition order: one block per partition, offsets ascending, each tenant in publish order.
      const blocks = replayed.map((r) => r.partition).filter((p, i, a) => i === 0 || a[i - 1] !== p);
      expect(new Set(blocks).size).toBe(blocks.length);
      for (let i = 1; i < replayed.length; i++) {
        const [prev, cur] = [replayed[i - 1]!, replayed[i]!];
        if (prev.partition === cur.partition) expect(cur.offset).toBeGreaterThan(prev.offset);
      }
      for (const t of tenants) {
        const seqs = replayed.filter((r) => r.event.tenantId === t).map((r) => seqOf(r.event));
        expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i));
      }

      // Group offsets: lag of an unknown group, reset refused while a member is active, then a
      // reset to the cut-off makes the group consume exactly the later events.
      await expect(transport.lag('rewind')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const got: string[] = [];
      const handler = (event: EventEnvelope) => void got.push(event.id);
      const live = await transport.subscribe('rewind', { topics: ['domain'], pollWaitMs: 50, handler });
      await waitFor(() => got.length === before.length + after.length, 'the first pass');
      await expect(transport.resetOffsets('rewind', { timestamp: cut })).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      await live.close();
      expect((await transport.lag('rewind', { topics: ['domain'] })).total).toBe(0n);
      await transport.resetOffsets('rewind', { timestamp: cut }, { topics: ['domain'] });
      expect((await transport.lag('rewind', { topics: ['domain'] })).total).toBe(BigInt(after.length));
      got.length = 0;
      const again = await transport.subscribe('rewind', { topics: ['domain'], pollWaitMs: 50, handler });
      await waitFor(() => got.length >= after.length, 'the second pass');
      await sleep(100);
      await again.close();
      expect(got.sort()).toEqual(after.map((e) => e.id).sort());
    });
  });
}
