import { EventRegistry } from '@rustok/core';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRelay, type OutboxRelay } from '../src/index';
import { createPostgresOutbox, type PostgresOutbox } from '../src/postgres/index';
import { OrderCreated, orderEvent, tenantEvents } from './helpers/events';
import { FakeTarget } from './helpers/fake-target';
import { dropSchema, freshSchema, inTx, pgPool, pgUrl } from './helpers/pg';
import { sleep, waitFor } from './helpers/wait';

describe.skipIf(pgUrl === null)('PostgreSQL outbox store', () => {
  let pool: pg.Pool;
  let schema: string;
  let outbox: PostgresOutbox;
  const relays: OutboxRelay[] = [];

  beforeAll(() => {
    pool = pgPool(10);
  });
  afterAll(async () => {
    await pool.end();
  });
  beforeEach(async () => {
    schema = freshSchema();
    outbox = createPostgresOutbox({ pool, schema });
    await outbox.migrate();
    await pool.query(`CREATE TABLE "${schema}".orders (id serial PRIMARY KEY, tenant text NOT NULL)`);
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await outbox.close();
    await dropSchema(pool, schema);
  });

  const count = async (table = 'rustok_outbox') =>
    ((await pool.query(`SELECT count(*)::int AS n FROM "${schema}".${table}`)).rows[0] as { n: number }).n;
  const relay = (target: FakeTarget, extra: Partial<Parameters<typeof createRelay>[0]> = {}) => {
    const r = createRelay({ store: outbox, target, pollIntervalMs: 20, ...extra });
    relays.push(r);
    return r;
  };

  it('migrates idempotently, also concurrently', async () => {
    expect(await outbox.migrate()).toEqual({ applied: [], version: 1 });
    const other = createPostgresOutbox({ pool, schema, table: 'other_outbox' });
    const results = await Promise.all([other.migrate(), other.migrate(), other.migrate()]);
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, 1]);
  });

  it('writes in the caller transaction: committed together, rolled back together', async () => {
    await inTx(pool, async (c) => {
      await c.query(`INSERT INTO "${schema}".orders (tenant) VALUES ('t1')`);
      await outbox.write(c, orderEvent('t1', 0));
    });
    await expect(
      inTx(pool, async (c) => {
        await c.query(`INSERT INTO "${schema}".orders (tenant) VALUES ('t1')`);
        await outbox.write(c, [orderEvent('t1', 1), orderEvent('t1', 2)]);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await count('orders')).toBe(1);
    expect(await count()).toBe(1);
  });

  it('never publishes an event of a rolled-back transaction', async () => {
    const target = new FakeTarget();
    await relay(target).start();
    const doomed = orderEvent('t1', 0);
    await expect(
      inTx(pool, async (c) => {
        await outbox.write(c, doomed);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    const marker = orderEvent('t1', 1);
    await inTx(pool, (c) => outbox.write(c, marker));
    await waitFor(() => target.published.length >= 1, 'the committed event');
    await sleep(100);
    expect(target.published.map((e) => e.id)).toEqual([marker.id]);
  });

  it('validates first: an invalid envelope or an unregistered type writes nothing', async () => {
    const strict = createPostgresOutbox({ pool, schema, registry: new EventRegistry().register(OrderCreated) });
    await expect(
      inTx(pool, (c) => strict.write(c, [orderEvent('t1', 0), { ...orderEvent('t1', 1), tenantId: '' }])),
    ).rejects.toMatchObject({ code: 'ENVELOPE_TENANT' });
    await expect(
      inTx(pool, (c) => strict.write(c, { ...orderEvent('t1', 0), payload: { n: 'x' } })),
    ).rejects.toMatchObject({ code: 'ENVELOPE_PAYLOAD' });
    expect(await count()).toBe(0);
  });

  it('write rejects an existing id with ALREADY_EXISTS; writeOnce is idempotent and detects CONFLICT', async () => {
    const e = orderEvent('t1', 0);
    expect(await inTx(pool, (c) => outbox.writeOnce(c, e))).toEqual({ inserted: [e.id], existing: [] });
    await expect(inTx(pool, (c) => outbox.write(c, e))).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
      details: { id: e.id },
    });
    const reordered = Object.fromEntries(Object.entries(e).reverse()) as typeof e;
    const again = await inTx(pool, (c) => outbox.writeOnce(c, [reordered, orderEvent('t2', 0)]));
    expect(again.existing).toEqual([e.id]);
    expect(again.inserted).toHaveLength(1);
    await expect(
      inTx(pool, (c) => outbox.writeOnce(c, [orderEvent('t3', 0), { ...e, headers: { changed: 'yes' } }])),
    ).rejects.toMatchObject({ code: 'CONFLICT', details: { id: e.id } });
    expect(await count()).toBe(2);
  });

  it('is CLOSED after close()', async () => {
    await outbox.close();
    await expect(inTx(pool, (c) => outbox.write(c, orderEvent('t1', 0)))).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(outbox.append([orderEvent('t1', 0)])).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('rejects schema and table names that are not SQL identifiers', () => {
    expect(() => createPostgresOutbox({ pool, schema: 'a"b' })).toThrowError(
      expect.objectContaining({ code: 'VALIDATION', details: { field: 'schema' } }),
    );
    expect(() => createPostgresOutbox({ pool, table: 'x y' })).toThrowError(
      expect.objectContaining({ code: 'VALIDATION', details: { field: 'table' } }),
    );
  });

  it('wakes the relay with LISTEN/NOTIFY instead of waiting for the poll', async () => {
    const target = new FakeTarget();
    await relay(target, { pollIntervalMs: 60_000 }).start();
    await sleep(50); // let the relay reach its idle wait
    const started = Date.now();
    await inTx(pool, (c) => outbox.write(c, orderEvent('t1', 0)));
    await waitFor(() => target.published.length === 1, 'a notified delivery', 5000);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('truncates a long error into last_error, marks failed after maxAttempts, and requeues', async () => {
    const target = new FakeTarget();
    let blocked = true;
    target.reject = (e) => (blocked && e.tenantId === 'bad' ? new Error(`nope ${'é'.repeat(3000)}`) : undefined);
    const r = relay(target, { maxAttempts: 2, backoff: { baseMs: 5, maxMs: 10 } });
    await r.start();
    await inTx(pool, (c) => outbox.write(c, [orderEvent('bad', 0), ...tenantEvents(20, 4), orderEvent('bad', 1)]));
    await waitFor(async () => (await r.listFailed({ tenantId: 'bad' })).length === 1, 'the failed row');
    await waitFor(() => target.published.length === 20, 'the other tenants');
    const [failed] = await r.listFailed();
    expect(failed).toMatchObject({ tenantId: 'bad', attempts: 2 });
    expect(Buffer.byteLength(failed!.lastError!, 'utf8')).toBeLessThanOrEqual(2048);
    expect(failed!.lastError).toMatch(/^Error: nope é+…\[truncated\]$/);
    blocked = false;
    expect(await r.requeue([failed!.id])).toBe(1);
    await waitFor(() => target.published.length === 22, 'the requeued tenant');
    expect(target.seen().filter((s) => s.tenantId === 'bad').map((s) => s.n)).toEqual([0, 1]);
  });

  it('refuses a worker id held by a live relay, in this process or registered on the database', async () => {
    const target = new FakeTarget();
    const first = relay(target, { workerId: 'w-1' });
    await first.start();
    await expect(relay(target, { workerId: 'w-1' }).start()).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await pool.query(
      `INSERT INTO "${schema}".rustok_outbox_workers (worker_id, instance_id, host, pid) VALUES ('w-2', 'x', 'elsewhere', 1)`,
    );
    await expect(relay(target, { workerId: 'w-2' }).start()).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
      message: expect.stringContaining('elsewhere'),
    });
    await pool.query(`UPDATE "${schema}".rustok_outbox_workers SET heartbeat_at = now() - interval '2 minutes'`);
    await relay(target, { workerId: 'w-2' }).start();
  });
});
