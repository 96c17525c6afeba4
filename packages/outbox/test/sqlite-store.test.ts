import { EventRegistry } from '@rustok/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClaimedEvent, DispatchedRow } from '../src/index';
import { createSqliteOutbox, type SqliteOutbox } from '../src/sqlite/index';
import { migrateSqlite } from '../src/stores/sqlite/migrate';
import { sqliteNames, sqliteSchemaV1 } from '../src/stores/sqlite/sql';
import { OrderCreated, orderEvent } from './helpers/events';
import { type SqliteFixture, sqliteFixture } from './helpers/sqlite';

describe('SQLite outbox store', () => {
  let fx: SqliteFixture;
  let outbox: SqliteOutbox;

  beforeEach(async () => {
    fx = await sqliteFixture();
    fx.db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, tenant TEXT NOT NULL)');
    outbox = createSqliteOutbox({ database: fx.db });
    await outbox.migrate();
  });
  afterEach(async () => {
    await outbox.close();
    await fx.cleanup();
  });

  const count = (table = 'rustok_outbox') =>
    (fx.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  /** The claimed rows with these ids, as `settle` takes them. */
  const sent = (rows: readonly ClaimedEvent[], ...ids: string[]): DispatchedRow[] =>
    rows.filter((r) => ids.includes(r.id)).map(({ id, seq, tenantId }) => ({ id, seq, tenantId }));

  it('migrates idempotently and records the version', async () => {
    expect(await outbox.migrate()).toEqual({ applied: [], version: 2 });
    const other = createSqliteOutbox({ database: fx.connect(), table: 'second_outbox' });
    expect(await other.migrate()).toEqual({ applied: [1, 2], version: 2 });
    const rows = fx.db.prepare('SELECT component, MAX(version) AS version FROM rustok_migrations GROUP BY component').all();
    expect(rows).toEqual([
      { component: 'outbox:rustok_outbox', version: 2 },
      { component: 'outbox:second_outbox', version: 2 },
    ]);
  });

  it('writes in the caller transaction: committed together, rolled back together', async () => {
    const insertOrder = fx.db.prepare('INSERT INTO orders (tenant) VALUES (?)');
    fx.db.transaction(() => {
      insertOrder.run('t1');
      outbox.write(fx.db, orderEvent('t1', 0));
    })();
    expect(() =>
      fx.db.transaction(() => {
        insertOrder.run('t1');
        outbox.write(fx.db, [orderEvent('t1', 1), orderEvent('t1', 2)]);
        throw new Error('business rule failed');
      })(),
    ).toThrow('business rule failed');
    expect(count('orders')).toBe(1);
    expect(count()).toBe(1);
    const row = fx.db.prepare('SELECT * FROM rustok_outbox').get() as Record<string, unknown>;
    expect(row).toMatchObject({ tenant_id: 't1', event_type: 'order.created', schema_version: 1, status: 'pending', attempts: 0 });
    expect(row.seq).toBe(1);
  });

  it('refuses to write outside a transaction', () => {
    expect(() => outbox.write(fx.db, orderEvent('t1', 0))).toThrowError(
      expect.objectContaining({ code: 'VALIDATION', details: { field: 'tx' } }),
    );
  });

  it('validates every envelope first: one invalid envelope writes nothing', () => {
    const bad = { ...orderEvent('t1', 1), occurredAt: 'yesterday' };
    expect(() => fx.db.transaction(() => outbox.write(fx.db, [orderEvent('t1', 0), bad]))()).toThrowError(
      expect.objectContaining({ code: 'ENVELOPE_OCCURRED_AT' }),
    );
    expect(count()).toBe(0);
  });

  it('checks payloads against its registry', async () => {
    const strict = createSqliteOutbox({ database: fx.db, registry: new EventRegistry().register(OrderCreated) });
    const wrong = { ...orderEvent('t1', 0), payload: { n: 'zero' } };
    expect(() => fx.db.transaction(() => strict.write(fx.db, wrong))()).toThrowError(
      expect.objectContaining({ code: 'ENVELOPE_PAYLOAD' }),
    );
    const unknown = { ...orderEvent('t1', 0), type: 'order.unknown' };
    expect(() => fx.db.transaction(() => strict.write(fx.db, unknown))()).toThrowError(
      expect.objectContaining({ code: 'ENVELOPE_UNKNOWN_TYPE' }),
    );
    expect(count()).toBe(0);
  });

  it('write rejects an id already present with ALREADY_EXISTS and writes nothing of that batch', () => {
    const e = orderEvent('t1', 0);
    fx.db.transaction(() => outbox.write(fx.db, e))();
    expect(() => fx.db.transaction(() => outbox.write(fx.db, [orderEvent('t1', 1), e]))()).toThrowError(
      expect.objectContaining({ code: 'ALREADY_EXISTS', details: { id: e.id } }),
    );
    expect(count()).toBe(1);
  });

  it('writeOnce: same content is a no-op, different content is CONFLICT', () => {
    const e = orderEvent('t1', 0);
    const first = fx.db.transaction(() => outbox.writeOnce(fx.db, e))();
    expect(first).toEqual({ inserted: [e.id], existing: [] });
    const reordered = Object.fromEntries(Object.entries(e).reverse()) as typeof e;
    const again = fx.db.transaction(() => outbox.writeOnce(fx.db, [reordered, orderEvent('t2', 0)]))();
    expect(again.existing).toEqual([e.id]);
    expect(again.inserted).toHaveLength(1);
    expect(count()).toBe(2);
    const changed = { ...e, payload: { n: 99 } };
    expect(() => fx.db.transaction(() => outbox.writeOnce(fx.db, [orderEvent('t3', 0), changed]))()).toThrowError(
      expect.objectContaining({ code: 'CONFLICT', details: { id: e.id } }),
    );
    expect(count()).toBe(2);
  });

  it('append writes in its own transaction', async () => {
    await outbox.append([orderEvent('t1', 0), orderEvent('t1', 1)]);
    expect(count()).toBe(2);
  });

  it('numbers rows in commit order, across writes, write-once repeats and connections', () => {
    const other = fx.connect();
    const a = [orderEvent('t1', 0), orderEvent('t2', 0)];
    fx.db.transaction(() => outbox.write(fx.db, a))();
    const b = [orderEvent('t1', 1)];
    other.transaction(() => outbox.write(other, b))();
    const c = [a[0]!, orderEvent('t2', 1), orderEvent('t1', 2)];
    fx.db.transaction(() => outbox.writeOnce(fx.db, c))();
    const rows = fx.db.prepare('SELECT id, seq FROM rustok_outbox ORDER BY seq').all() as Array<{ id: string; seq: number }>;
    expect(rows.map((r) => r.id)).toEqual([...a, ...b, c[1]!, c[2]!].map((e) => e.id));
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('is CLOSED after close()', async () => {
    await outbox.close();
    expect(() => fx.db.transaction(() => outbox.write(fx.db, orderEvent('t1', 0)))()).toThrowError(
      expect.objectContaining({ code: 'CLOSED' }),
    );
    await expect(outbox.append([orderEvent('t1', 0)])).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(outbox.claim({ workerId: 'w', limit: 10, leaseTtlMs: 1000 })).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('rejects a table name that is not an SQL identifier', () => {
    expect(() => createSqliteOutbox({ database: fx.db, table: 'outbox; DROP TABLE orders' })).toThrowError(
      expect.objectContaining({ code: 'VALIDATION', details: { field: 'table' } }),
    );
    expect(() => createSqliteOutbox({ database: 'nope' as never })).toThrowError(
      expect.objectContaining({ code: 'VALIDATION', details: expect.objectContaining({ field: 'database' }) }),
    );
  });

  it('claims per tenant in order, leases tenants, and lets expired leases be taken over', async () => {
    const [a0, b0, a1, b1] = [orderEvent('a', 0), orderEvent('b', 0), orderEvent('a', 1), orderEvent('b', 1)];
    fx.db.transaction(() => outbox.write(fx.db, [a0!, b0!, a1!, b1!]))();
    const first = await outbox.claim({ workerId: 'w1', limit: 10, leaseTtlMs: 60_000 });
    expect(first.map((r) => r.id)).toEqual([a0!.id, b0!.id, a1!.id, b1!.id]);
    // The lease is the tenant's: its id is the tenant id.
    expect(first.map((r) => r.leaseId)).toEqual(['a', 'b', 'a', 'b']);
    expect(first[0]!.envelope).toEqual(a0);
    expect(await outbox.stats()).toMatchObject({ claimed: 2, pending: 4 });
    // Both tenants are leased: a second relay gets nothing.
    expect(await outbox.claim({ workerId: 'w2', limit: 10, leaseTtlMs: 60_000 })).toEqual([]);
    // Once the leases count as expired (TTL 0), w2 takes them over; w1 can no longer settle.
    expect(await outbox.claim({ workerId: 'w2', limit: 10, leaseTtlMs: 0 })).toHaveLength(4);
    const leases = ['a', 'b'];
    const dispatched = sent(first, a0!.id, b0!.id);
    const stale = await outbox.settle('w1', { leases, dispatched, failures: [], deleteDispatched: false });
    expect(stale).toEqual({ dispatched: 0, failed: 0, lostLeases: leases });
    const ok = await outbox.settle('w2', { leases, dispatched, failures: [], deleteDispatched: false });
    expect(ok).toEqual({ dispatched: 2, failed: 0, lostLeases: [] });
    expect(await outbox.stats()).toMatchObject({ pending: 2, dispatched: 2, failed: 0, claimed: 0 });
  });

  it('never claims past a tenant row that is backing off or failed', async () => {
    const [a0, a1, b0] = [orderEvent('a', 0), orderEvent('a', 1), orderEvent('b', 0)];
    fx.db.transaction(() => outbox.write(fx.db, [a0!, a1!, b0!]))();
    const claimed = await outbox.claim({ workerId: 'w1', limit: 10, leaseTtlMs: 60_000 });
    expect(claimed).toHaveLength(3);
    await outbox.settle('w1', {
      leases: ['a', 'b'],
      dispatched: sent(claimed, b0!.id),
      failures: [{ id: a0!.id, attempts: 1, failed: false, delayMs: 60_000, error: 'boom' }],
      deleteDispatched: false,
    });
    // a#0 is not due: tenant a is skipped entirely (a#1 waits behind it), b has nothing left.
    expect(await outbox.claim({ workerId: 'w1', limit: 10, leaseTtlMs: 60_000 })).toEqual([]);
    fx.db.prepare('UPDATE rustok_outbox SET next_attempt_at = 0').run();
    const retry = await outbox.claim({ workerId: 'w1', limit: 10, leaseTtlMs: 60_000 });
    expect(retry.map((r) => [r.id, r.attempts])).toEqual([
      [a0!.id, 1],
      [a1!.id, 0],
    ]);
    await outbox.settle('w1', {
      leases: ['a'],
      dispatched: [],
      failures: [{ id: a0!.id, attempts: 2, failed: true, delayMs: 0, error: 'x'.repeat(10_000) }],
      deleteDispatched: false,
    });
    expect(await outbox.claim({ workerId: 'w1', limit: 10, leaseTtlMs: 60_000 })).toEqual([]);
    const failed = await outbox.listFailed();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ id: a0!.id, tenantId: 'a', attempts: 2, eventType: 'order.created' });
    expect(Buffer.byteLength(failed[0]!.lastError!, 'utf8')).toBeLessThanOrEqual(2048);
    expect(await outbox.requeue([a0!.id, b0!.id])).toBe(1);
    const after = await outbox.claim({ workerId: 'w1', limit: 10, leaseTtlMs: 60_000 });
    expect(after.map((r) => r.id)).toEqual([a0!.id, a1!.id]);
  });

  it('leases whole tenants: renewed, released by releaseAll, and not claimed by another relay meanwhile', async () => {
    const [a0, a1, b0] = [orderEvent('a', 0), orderEvent('a', 1), orderEvent('b', 0)];
    fx.db.transaction(() => outbox.write(fx.db, [a0!, a1!]))();
    expect((await outbox.claim({ workerId: 'w1', limit: 1, leaseTtlMs: 60_000 })).map((r) => r.id)).toEqual([a0!.id]);
    // a#1 is not claimed by w1, but tenant a is leased: w2 gets nothing of it, only tenant b.
    fx.db.transaction(() => outbox.write(fx.db, [b0!]))();
    expect((await outbox.claim({ workerId: 'w2', limit: 10, leaseTtlMs: 60_000 })).map((r) => r.id)).toEqual([b0!.id]);
    expect(await outbox.renew('w1', ['a', 'b'])).toBe(1);
    expect(await outbox.stats()).toMatchObject({ claimed: 2, pending: 3 });
    expect(await outbox.releaseAll('w1')).toBe(1);
    expect((await outbox.claim({ workerId: 'w2', limit: 10, leaseTtlMs: 60_000 })).map((r) => r.id)).toEqual([
      a0!.id,
      a1!.id,
    ]);
  });

  it('keeps numbering above every dispatched row after all rows were deleted, so new rows are delivered', async () => {
    const first = [orderEvent('a', 0), orderEvent('a', 1)];
    fx.db.transaction(() => outbox.write(fx.db, first))();
    const claimed = await outbox.claim({ workerId: 'w', limit: 10, leaseTtlMs: 60_000 });
    await outbox.settle('w', { leases: ['a'], dispatched: sent(claimed, ...claimed.map((r) => r.id)), failures: [], deleteDispatched: true });
    expect(count()).toBe(0);
    const later = orderEvent('a', 2);
    fx.db.transaction(() => outbox.write(fx.db, [later]))();
    const again = await outbox.claim({ workerId: 'w', limit: 10, leaseTtlMs: 60_000 });
    expect(again.map((r) => [r.id, r.seq])).toEqual([[later.id, 3]]);
    // The same after a retention purge emptied the table.
    await outbox.settle('w', { leases: ['a'], dispatched: sent(again, later.id), failures: [], deleteDispatched: false });
    fx.db.prepare('UPDATE rustok_outbox_dispatches SET dispatched_at = dispatched_at - 120000').run();
    expect(await outbox.purge(60_000, 100)).toBe(1);
    expect(count()).toBe(0);
    const last = orderEvent('a', 3);
    fx.db.transaction(() => outbox.writeOnce(fx.db, [later, last]))();
    const rows = await outbox.claim({ workerId: 'w', limit: 10, leaseTtlMs: 60_000 });
    // `later` was purged, so write-once writes it again (the window is the retention period).
    expect(rows.map((r) => [r.id, r.seq])).toEqual([
      [later.id, 4],
      [last.id, 5],
    ]);
  });

  it('upgrades a version-1 table: rows it marked dispatched stay dispatched and are purged by their time', async () => {
    const legacy = createSqliteOutbox({ database: fx.db, table: 'legacy_outbox' });
    const t = sqliteNames('legacy_outbox', 'rustok_migrations');
    migrateSqlite(fx.db, 'rustok_migrations', 'outbox:legacy_outbox', [{ version: 1, statements: sqliteSchemaV1(t) }]);
    const events = [orderEvent('a', 0), orderEvent('a', 1), orderEvent('b', 0)];
    const insert = fx.db.prepare(`INSERT INTO legacy_outbox (id, seq, tenant_id, event_type, schema_version, envelope,
      status, next_attempt_at, created_at, dispatched_at) VALUES (?, ?, ?, 'order.created', 1, ?, ?, 0, 0, ?)`);
    const old = Date.now() - 120_000;
    insert.run(events[0]!.id, 1, 'a', JSON.stringify(events[0]), 'dispatched', old);
    insert.run(events[1]!.id, 2, 'a', JSON.stringify(events[1]), 'pending', null);
    insert.run(events[2]!.id, 3, 'b', JSON.stringify(events[2]), 'dispatched', Date.now());
    expect(await legacy.migrate()).toEqual({ applied: [2], version: 2 });
    expect(await legacy.stats()).toMatchObject({ pending: 1, dispatched: 2, failed: 0 });
    const rows = await legacy.claim({ workerId: 'w', limit: 10, leaseTtlMs: 60_000 });
    expect(rows.map((r) => r.id)).toEqual([events[1]!.id]);
    expect(await legacy.purge(60_000, 100)).toBe(1);
    expect(count('legacy_outbox')).toBe(2);
    await legacy.close();
  });

  it('deletes dispatched rows at once or purges them after the retention', async () => {
    const events = [orderEvent('a', 0), orderEvent('b', 0), orderEvent('c', 0)];
    fx.db.transaction(() => outbox.write(fx.db, events))();
    const claimed = await outbox.claim({ workerId: 'w', limit: 10, leaseTtlMs: 60_000 });
    const ids = events.map((e) => e.id);
    await outbox.settle('w', { leases: ['a', 'b', 'c'], dispatched: sent(claimed, ids[0]!, ids[1]!), failures: [], deleteDispatched: false });
    expect(count()).toBe(3);
    const rest = await outbox.claim({ workerId: 'w', limit: 10, leaseTtlMs: 60_000 });
    expect(rest.map((r) => r.id)).toEqual([ids[2]]);
    await outbox.settle('w', { leases: ['c'], dispatched: sent(rest, ids[2]!), failures: [], deleteDispatched: true });
    expect(count()).toBe(2);
    expect(await outbox.stats()).toMatchObject({ pending: 0, dispatched: 2 });
    expect(await outbox.purge(60_000, 100)).toBe(0);
    fx.db.prepare('UPDATE rustok_outbox_dispatches SET dispatched_at = dispatched_at - 120000').run();
    expect(await outbox.purge(60_000, 1)).toBe(1);
    expect(await outbox.purge(60_000, 100)).toBe(1);
    expect(count()).toBe(0);
    expect(count('rustok_outbox_dispatches')).toBe(0);
  });

  it('settles under the write lock, so a commit of another connection cannot fail the settlement', async () => {
    // Another connection tries to commit right after the settlement read its leases. If the
    // settlement ran in a deferred transaction, that commit would succeed and the settlement's
    // own write would then fail with SQLITE_BUSY_SNAPSHOT, stranding the published batch.
    const other = fx.connect();
    other.pragma('busy_timeout = 0');
    let otherCommit = 'not tried';
    const tryOtherCommit = () => {
      try {
        other.prepare("INSERT INTO orders (tenant) VALUES ('other')").run();
        otherCommit = 'committed';
      } catch (err) {
        otherCommit = (err as { code?: string }).code ?? String(err);
      }
    };
    const hooked = new Proxy(fx.db, {
      get(db, key) {
        if (key !== 'prepare') {
          const value = Reflect.get(db, key, db);
          return typeof value === 'function' ? value.bind(db) : value;
        }
        return (sql: string) => {
          const statement = db.prepare(sql);
          if (!sql.trimStart().startsWith('SELECT') || !sql.includes('claimed_by = @workerId')) return statement;
          return new Proxy(statement, {
            get(st, k) {
              const value = Reflect.get(st, k, st);
              if (k !== 'all') return typeof value === 'function' ? value.bind(st) : value;
              return (...args: unknown[]) => {
                const rows = st.all(...args);
                tryOtherCommit();
                return rows;
              };
            },
          });
        };
      },
    });
    const store = createSqliteOutbox({ database: hooked });
    fx.db.transaction(() => store.write(fx.db, [orderEvent('t1', 0), orderEvent('t1', 1)]))();
    const rows = await store.claim({ workerId: 'w1', limit: 10, leaseTtlMs: 60_000 });
    const result = await store.settle('w1', {
      leases: [rows[0]!.leaseId],
      dispatched: sent(rows, ...rows.map((r) => r.id)),
      failures: [],
      deleteDispatched: false,
    });
    expect(result).toEqual({ dispatched: 2, failed: 0, lostLeases: [] });
    expect(otherCommit).toBe('SQLITE_BUSY');
    expect((await store.stats()).dispatched).toBe(2);
    await store.close();
  });
});
