import { hostname } from 'node:os';
import {
  type EventEnvelope,
  type EventTransport,
  MemoryTransport,
  type Metrics,
  PartialPublishError,
  type SerializedEvent,
} from '@rustok/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRelay, type OutboxRelay, RelayMetrics, WorkerIdInUseError } from '../src/index';
import { createSqliteOutbox, type SqliteOutbox } from '../src/sqlite/index';
import { orderEvent, strictOrderViolations, tenantEvents } from './helpers/events';
import { FakeTarget } from './helpers/fake-target';
import { type SqliteFixture, sqliteFixture } from './helpers/sqlite';
import { sleep, waitFor } from './helpers/wait';

describe('relay on SQLite', () => {
  let fx: SqliteFixture;
  let outbox: SqliteOutbox;
  const relays: OutboxRelay[] = [];

  beforeEach(async () => {
    fx = await sqliteFixture();
    outbox = createSqliteOutbox({ database: fx.db });
    await outbox.migrate();
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await outbox.close();
    await fx.cleanup();
  });

  const relay = (options: Partial<Parameters<typeof createRelay>[0]> & { target: Parameters<typeof createRelay>[0]['target'] }) => {
    const r = createRelay({ store: outbox, pollIntervalMs: 20, batchSize: 50, ...options });
    relays.push(r);
    return r;
  };
  const write = (events: EventEnvelope[]) => fx.db.transaction(() => outbox.write(fx.db, events))();

  it('delivers every committed event to a MemoryTransport in per-tenant order', async () => {
    const bus = new MemoryTransport({ capacity: 10_000 });
    const seen: Array<{ tenantId: string; n: number }> = [];
    await bus.subscribe('audit', { handler: (e) => void seen.push({ tenantId: e.tenantId, n: (e.payload as { n: number }).n }) });
    await relay({ target: bus }).start();
    const events = tenantEvents(1000, 7);
    for (let i = 0; i < events.length; i += 100) write(events.slice(i, i + 100));
    await waitFor(() => seen.length >= 1000, 'all events');
    expect(strictOrderViolations(seen)).toEqual([]);
    expect((await outbox.stats()).pending).toBe(0);
    await bus.close();
  });

  it('never publishes an event of a rolled-back transaction', async () => {
    const target = new FakeTarget();
    await relay({ target }).start();
    const doomed = orderEvent('t1', 0);
    expect(() =>
      fx.db.transaction(() => {
        outbox.write(fx.db, doomed);
        throw new Error('rollback');
      })(),
    ).toThrow('rollback');
    const marker = orderEvent('t1', 1);
    write([marker]);
    await waitFor(() => target.published.length >= 1, 'the committed event');
    await sleep(100);
    expect(target.published.map((e) => e.id)).toEqual([marker.id]);
  });

  it('a rejected tenant is delayed alone, becomes failed after maxAttempts, and requeue delivers it', async () => {
    const target = new FakeTarget();
    let blocked = true;
    const longMessage = `tenant rejected: ${'x'.repeat(5000)}`;
    target.reject = (e) => (blocked && e.tenantId === 'bad' ? new Error(longMessage) : undefined);
    const r = relay({ target, maxAttempts: 3, backoff: { baseMs: 5, maxMs: 20 } });
    await r.start();
    const events = [...tenantEvents(60, 3, 'ok'), orderEvent('bad', 0), orderEvent('bad', 1), ...tenantEvents(30, 3, 'ok2')];
    write(events);
    await waitFor(async () => (await r.listFailed()).length === 1, 'the bad tenant to fail');
    // Every other tenant went through while 'bad' was retried.
    await waitFor(() => target.published.length === 90, 'the good tenants');
    expect(target.published.some((e) => e.tenantId === 'bad')).toBe(false);
    const [failed] = await r.listFailed();
    expect(failed).toMatchObject({ tenantId: 'bad', attempts: 3 });
    expect(failed!.envelope.payload).toEqual({ n: 0 });
    expect(failed!.lastError).toMatch(/^Error: tenant rejected: x+…\[truncated\]$/);
    expect(Buffer.byteLength(failed!.lastError!, 'utf8')).toBeLessThanOrEqual(2048);
    const stats = await r.stats();
    expect(stats).toMatchObject({ failed: 1, pending: 1 });
    blocked = false;
    expect(await r.requeue([failed!.id])).toBe(1);
    await waitFor(() => target.published.length === 92, 'the requeued tenant');
    expect(target.seen().filter((s) => s.tenantId === 'bad')).toEqual([
      { tenantId: 'bad', n: 0 },
      { tenantId: 'bad', n: 1 },
    ]);
    expect(strictOrderViolations(target.seen())).toEqual([]);
  });

  it('refuses a second relay with the same worker id in this process', async () => {
    const target = new FakeTarget();
    const first = relay({ target, workerId: 'relay-1' });
    await first.start();
    await expect(first.start()).rejects.toBeInstanceOf(WorkerIdInUseError);
    const otherConnection = createSqliteOutbox({ database: fx.connect() });
    const twin = createRelay({ store: otherConnection, target, workerId: 'relay-1' });
    await expect(twin.start()).rejects.toMatchObject({ code: 'ALREADY_EXISTS', details: { workerId: 'relay-1' } });
    await first.stop();
    await twin.start();
    await twin.stop();
  });

  it('refuses a worker id held by a live relay elsewhere, and takes over a stale or dead one', async () => {
    const target = new FakeTarget();
    const register = (host: string, pid: number, ageMs: number) =>
      fx.db
        .prepare(
          `INSERT OR REPLACE INTO rustok_outbox_workers (worker_id, instance_id, host, pid, started_at, heartbeat_at)
           VALUES ('shared', 'someone-else', ?, ?, ?, ?)`,
        )
        .run(host, pid, Date.now() - ageMs, Date.now() - ageMs);
    register('other-host', 4242, 0);
    const r = relay({ target, workerId: 'shared', leaseTtlMs: 5000 });
    await expect(r.start()).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    register('other-host', 4242, 10_000); // heartbeat older than the TTL: presumed dead
    await r.start();
    await r.stop();
    register(hostname(), 2 ** 22 + 12_345, 0); // fresh, but that pid does not exist on this host
    await r.start();
    const row = fx.db.prepare(`SELECT pid FROM rustok_outbox_workers WHERE worker_id = 'shared'`).get();
    expect(row).toEqual({ pid: process.pid });
    await r.stop();
    expect(fx.db.prepare('SELECT COUNT(*) AS n FROM rustok_outbox_workers').get()).toEqual({ n: 0 });
  });

  it('stop() lets the in-flight batch finish and records it', async () => {
    const target = new FakeTarget();
    target.delayMs = 300;
    const r = relay({ target, batchSize: 10 });
    await r.start();
    write(tenantEvents(10, 2));
    await waitFor(() => target.inFlight === 1, 'a batch in flight');
    await r.stop();
    expect(target.published).toHaveLength(10);
    expect(await outbox.stats()).toMatchObject({ pending: 0, dispatched: 10, claimed: 0 });
  });

  it('reports metrics and deletes rows at once with retention 0', async () => {
    const target = new FakeTarget();
    const observed = new Map<string, number[]>();
    const record = (name: string, value = 1) => observed.set(name, [...(observed.get(name) ?? []), value]);
    const metrics: Metrics = { increment: record, observe: record, gauge: record };
    write(tenantEvents(20, 4));
    const r = relay({ target, metrics, retentionMs: 0, metricsIntervalMs: 1 });
    await r.start();
    await waitFor(() => target.published.length === 20, 'delivery');
    await waitFor(() => (observed.get(RelayMetrics.lagMs) ?? []).at(-1) === 0, 'lag back to 0');
    expect(observed.get(RelayMetrics.published)?.reduce((a, b) => a + b)).toBe(20);
    expect(observed.get(RelayMetrics.batchSize)?.length).toBeGreaterThan(0);
    expect(observed.get(RelayMetrics.publishLatencyMs)?.length).toBeGreaterThan(0);
    expect(fx.db.prepare('SELECT COUNT(*) AS n FROM rustok_outbox').get()).toEqual({ n: 0 });
  });

  it('frees claims left by a crashed predecessor with the same worker id at start', async () => {
    write(tenantEvents(4, 2));
    await outbox.claim({ workerId: 'phoenix', limit: 10, leaseTtlMs: 60_000 });
    const target = new FakeTarget();
    await relay({ target, workerId: 'phoenix' }).start();
    await waitFor(() => target.published.length === 4, 'the previously claimed rows');
  });

  it('retries recording a published batch, so the batch is neither stranded nor published twice', async () => {
    const target = new FakeTarget();
    let settleCalls = 0;
    const flaky = new Proxy(outbox, {
      get(store, key) {
        const value = Reflect.get(store, key, store);
        if (key !== 'settle') return typeof value === 'function' ? value.bind(store) : value;
        return (...args: Parameters<SqliteOutbox['settle']>) => {
          settleCalls++;
          if (settleCalls === 1) return Promise.reject(new Error('database is locked'));
          return store.settle(...args);
        };
      },
    });
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error: (m: string) => void warnings.push(m) };
    write(tenantEvents(20, 2));
    await relay({ target, store: flaky, logger }).start();
    await waitFor(async () => (await outbox.stats()).pending === 0, 'the batch to be recorded');
    expect(target.published).toHaveLength(20);
    expect(strictOrderViolations(target.seen())).toEqual([]);
    expect(settleCalls).toBeGreaterThanOrEqual(2);
    expect(warnings).toEqual(['outbox relay could not record a published batch; retrying']);
  });

  it('marks a tenant published only up to its first unpublished row, so rows accepted after a gap go again in order', async () => {
    const [a0, a1, b0] = [orderEvent('a', 0), orderEvent('a', 1), orderEvent('b', 0)];
    const delivered: string[] = [];
    let gaps = 2;
    // A target that accepts a#1 (and b#0) while rejecting a#0 for its first two attempts.
    const target = new FakeTarget();
    target.publishBatch = async (envelopes) => {
      const accepted = envelopes.filter((e) => gaps === 0 || e.id !== a0.id);
      delivered.push(...accepted.map((e) => e.id));
      if (accepted.length === envelopes.length) return envelopes.map((e) => ({ id: e.id }));
      gaps--;
      throw new PartialPublishError('a#0 rejected', accepted.map((e) => e.id));
    };
    write([a0, a1, b0]);
    await relay({ target, backoff: { baseMs: 5, maxMs: 10, jitter: 0 } }).start();
    await waitFor(async () => (await outbox.stats()).pending === 0, 'everything dispatched');
    // a#1 was accepted ahead of a#0, so it is published again after a#0; b is done at once.
    expect(delivered.lastIndexOf(a1.id)).toBeGreaterThan(delivered.lastIndexOf(a0.id));
    expect(delivered.filter((id) => id === b0.id)).toHaveLength(1);
  });

  it('hands the stored JSON to a target with publishSerialized, and envelopes to one without', async () => {
    const events = tenantEvents(20, 3);
    write(events);
    const serializedCalls: SerializedEvent[][] = [];
    const fast: EventTransport = {
      reliability: 'in-memory',
      publish: async (e) => ({ id: e.id }),
      publishBatch: async () => {
        throw new Error('publishBatch must not be used when publishSerialized exists');
      },
      publishSerialized: async (list) => {
        serializedCalls.push([...list]);
        return list.map((e) => ({ id: e.id }));
      },
      health: async () => ({ status: 'healthy', reliability: 'in-memory', details: {} }),
      close: async () => {},
    };
    await relay({ target: fast }).start();
    await waitFor(async () => (await outbox.stats()).pending === 0, 'all dispatched');
    const sent = serializedCalls.flat();
    expect(sent.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
    for (const e of sent) {
      const original = events.find((x) => x.id === e.id)!;
      expect(e).toEqual({
        id: original.id,
        type: original.type,
        schemaVersion: original.schemaVersion,
        tenantId: original.tenantId,
        json: JSON.stringify(original),
      });
    }
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    const plain = new FakeTarget();
    const more = tenantEvents(5, 2);
    write(more);
    await relay({ target: plain, workerId: 'second' }).start();
    await waitFor(() => plain.published.length >= 5, 'the rest through publishBatch');
    expect(plain.published.map((e) => e.id).sort()).toEqual(more.map((e) => e.id).sort());
  });

  it('three relays on separate connections deliver every event once, per-tenant order intact', async () => {
    const target = new FakeTarget();
    target.delayMs = 2;
    const stores = [outbox, createSqliteOutbox({ database: fx.connect() }), createSqliteOutbox({ database: fx.connect() })];
    const counts = [0, 0, 0];
    for (const [i, store] of stores.entries()) {
      const metrics: Metrics = {
        increment: (name, value = 1) => {
          if (name === RelayMetrics.published) counts[i]! += value;
        },
        observe: () => {},
        gauge: () => {},
      };
      // A batch holds at most 8 tenants, so the relays share the 30 tenants between them.
      const r = createRelay({ store, target, pollIntervalMs: 5, batchSize: 8, metrics });
      relays.push(r);
      await r.start();
    }
    const events = tenantEvents(3000, 30);
    for (let i = 0; i < events.length; i += 100) write(events.slice(i, i + 100));
    await waitFor(() => target.published.length >= events.length, 'every event');
    await sleep(50);
    expect(target.published).toHaveLength(events.length);
    expect(strictOrderViolations(target.seen())).toEqual([]);
    expect(counts.every((n) => n > 0)).toBe(true);
    expect(await outbox.stats()).toMatchObject({ pending: 0, claimed: 0, dispatched: events.length });
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    for (const store of stores.slice(1)) await store.close();
  });
});
