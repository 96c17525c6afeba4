import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresInbox, type PgQueryable, type PostgresInbox } from '../src/postgres/index';
import { createSqliteInbox, type SqliteInbox } from '../src/sqlite/index';
import { orderEvent } from './helpers/events';
import { dropSchema, freshSchema, inTx, pgPool, pgUrl } from './helpers/pg';
import { type SqliteFixture, sqliteFixture } from './helpers/sqlite';

describe('SQLite inbox', () => {
  let fx: SqliteFixture;
  let inbox: SqliteInbox<SqliteFixture['db']>;
  beforeEach(async () => {
    fx = await sqliteFixture();
    fx.db.exec('CREATE TABLE totals (tenant TEXT PRIMARY KEY, amount INTEGER NOT NULL)');
    inbox = createSqliteInbox({ database: fx.db });
    expect((await inbox.migrate()).version).toBe(1);
  });
  afterEach(async () => {
    await inbox.close();
    await fx.cleanup();
  });

  const add = (db: SqliteFixture['db'], amount: number) =>
    db
      .prepare('INSERT INTO totals (tenant, amount) VALUES (?, ?) ON CONFLICT (tenant) DO UPDATE SET amount = amount + excluded.amount')
      .run('t1', amount);
  const total = () => (fx.db.prepare('SELECT amount FROM totals').get() as { amount: number } | undefined)?.amount;

  it('skips a redelivered event', () => {
    const e = orderEvent('t1', 1);
    const handle = () => fx.db.transaction(() => inbox.process(fx.db, e.id, 'billing', (tx) => add(tx, 10)))();
    expect(handle().status).toBe('processed');
    expect(handle()).toEqual({ status: 'duplicate' });
    expect(total()).toBe(10);
    expect(inbox.has(e.id, 'billing')).toBe(true);
    // Another group processes the same event independently.
    expect(inbox.run(e.id, 'audit', () => 'seen')).toEqual({ status: 'processed', value: 'seen' });
  });

  it('rolls the mark back with the handler when the handler fails', () => {
    const e = orderEvent('t1', 1);
    expect(() =>
      inbox.run(e.id, 'billing', (tx) => {
        add(tx, 10);
        throw new Error('handler failed');
      }),
    ).toThrow('handler failed');
    expect(total()).toBeUndefined();
    expect(inbox.has(e.id, 'billing')).toBe(false);
    expect(inbox.run(e.id, 'billing', (tx) => add(tx, 5)).status).toBe('processed');
    expect(total()).toBe(5);
  });

  it('keeps the caller transaction usable when the handler fails inside it', () => {
    const e = orderEvent('t1', 1);
    fx.db.transaction(() => {
      add(fx.db, 1);
      expect(() =>
        inbox.process(fx.db, e.id, 'billing', () => {
          throw new Error('nope');
        }),
      ).toThrow('nope');
    })();
    expect(total()).toBe(1);
    expect(inbox.has(e.id, 'billing')).toBe(false);
  });

  it('rejects asynchronous handlers and bad keys', () => {
    expect(() => inbox.run(orderEvent('t', 1).id, 'g', async () => 1)).toThrowError(
      expect.objectContaining({ code: 'VALIDATION', details: { field: 'fn' } }),
    );
    expect(() => inbox.run('', 'g', () => 1)).toThrowError(expect.objectContaining({ details: { field: 'eventId' } }));
  });

  it('purges old marks', () => {
    inbox.run(orderEvent('t', 1).id, 'g', () => 1);
    expect(inbox.purge(60_000)).toBe(0);
    fx.db.prepare('UPDATE rustok_inbox SET processed_at = processed_at - 120000').run();
    expect(inbox.purge(60_000)).toBe(1);
  });
});

describe.skipIf(pgUrl === null)('PostgreSQL inbox', () => {
  let pool: pg.Pool;
  let schema: string;
  let inbox: PostgresInbox;
  beforeAll(() => {
    pool = pgPool(6);
  });
  afterAll(async () => {
    await pool.end();
  });
  beforeEach(async () => {
    schema = freshSchema();
    inbox = createPostgresInbox({ pool, schema });
    await inbox.migrate();
    await pool.query(`CREATE TABLE "${schema}".totals (tenant text PRIMARY KEY, amount int NOT NULL)`);
  });
  afterEach(async () => {
    await inbox.close();
    await dropSchema(pool, schema);
  });

  const add = (c: PgQueryable, amount: number) =>
    c.query(
      `INSERT INTO "${schema}".totals (tenant, amount) VALUES ('t1', $1)
       ON CONFLICT (tenant) DO UPDATE SET amount = totals.amount + excluded.amount`,
      [amount],
    );
  const total = async () =>
    ((await pool.query(`SELECT amount FROM "${schema}".totals`)).rows[0] as { amount: number } | undefined)?.amount;

  it('skips a redelivered event', async () => {
    const e = orderEvent('t1', 1);
    const handle = () => inTx(pool, (c) => inbox.process(c, e.id, 'billing', (tx) => add(tx, 10)));
    expect((await handle()).status).toBe('processed');
    expect(await handle()).toEqual({ status: 'duplicate' });
    expect(await total()).toBe(10);
    expect(await inbox.has(e.id, 'billing')).toBe(true);
  });

  it('rolls the mark back with the handler when the handler fails, even if the caller commits', async () => {
    const e = orderEvent('t1', 1);
    await inTx(pool, async (c) => {
      await add(c, 1);
      await expect(
        inbox.process(c, e.id, 'billing', async (tx) => {
          await add(tx, 10);
          throw new Error('handler failed');
        }),
      ).rejects.toThrow('handler failed');
    });
    expect(await total()).toBe(1);
    expect(await inbox.has(e.id, 'billing')).toBe(false);
    expect((await inbox.run(e.id, 'billing', (tx) => add(tx, 5))).status).toBe('processed');
    expect(await total()).toBe(6);
  });

  it('lets only one of two concurrent deliveries run the handler', async () => {
    const e = orderEvent('t1', 1);
    const results = await Promise.all([
      inbox.run(e.id, 'billing', (tx) => add(tx, 10)),
      inbox.run(e.id, 'billing', (tx) => add(tx, 10)),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['duplicate', 'processed']);
    expect(await total()).toBe(10);
  });

  it('needs a transaction', async () => {
    const client = await pool.connect();
    try {
      await expect(inbox.process(client, orderEvent('t', 1).id, 'g', () => 1)).rejects.toThrow(/transaction/);
    } finally {
      client.release();
    }
  });
});
