import { type EventEnvelope, MemoryTransport } from '@rustok/core';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRelay, OutboxTransport, RoutingTransport } from '../src/index';
import { createPostgresOutbox, type PostgresOutbox } from '../src/postgres/index';
import { createSqliteOutbox, type SqliteOutbox } from '../src/sqlite/index';
import { orderEvent } from './helpers/events';
import { dropSchema, freshSchema, inTx, pgPool, pgUrl } from './helpers/pg';
import { type SqliteFixture, sqliteFixture } from './helpers/sqlite';
import { waitFor } from './helpers/wait';

const shipped = (tenantId: string, n: number): EventEnvelope => ({ ...orderEvent(tenantId, n), type: 'order.shipped' });

describe('OutboxTransport on SQLite', () => {
  let fx: SqliteFixture;
  let outbox: SqliteOutbox;
  beforeEach(async () => {
    fx = await sqliteFixture();
    outbox = createSqliteOutbox({ database: fx.db });
    await outbox.migrate();
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  it('inserts rows (in its own transaction or the caller one) with reliability "outbox"', async () => {
    const transport = new OutboxTransport({ outbox });
    expect(transport.reliability).toBe('outbox');
    const a = orderEvent('t1', 0);
    expect(await transport.publish(a)).toEqual({ id: a.id });
    expect(() =>
      fx.db.transaction(() => {
        void transport.publishBatch([orderEvent('t1', 1)], { tx: fx.db });
        throw new Error('rollback');
      })(),
    ).toThrow('rollback');
    expect((await outbox.stats()).pending).toBe(1);
    const health = await transport.health();
    expect(health).toMatchObject({ status: 'healthy', reliability: 'outbox', details: { driver: 'sqlite', pending: 1 } });
    await transport.close();
    await expect(transport.publish(orderEvent('t1', 2))).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('routes mixed reliability: outbox types with the transaction, others straight to the stream', async () => {
    const bus = new MemoryTransport();
    const got: string[] = [];
    await bus.subscribe('all', { handler: (e) => void got.push(e.type) });
    const router = new RoutingTransport({
      outbox: new OutboxTransport({ outbox }),
      stream: bus,
      outboxTypes: ['order.created'],
      closeRoutes: false,
    });
    await router.publishBatch([orderEvent('t1', 0), shipped('t1', 1)]);
    await waitFor(() => got.length === 1, 'the streamed event');
    expect(got).toEqual(['order.shipped']);
    expect((await outbox.stats()).pending).toBe(1);
    const relay = createRelay({ store: outbox, target: bus, pollIntervalMs: 10 });
    await relay.start();
    await waitFor(() => got.length === 2, 'the relayed event');
    await relay.stop();
    expect(got).toEqual(['order.shipped', 'order.created']);
    await bus.close();
  });
});

describe.skipIf(pgUrl === null)('OutboxTransport on PostgreSQL', () => {
  let pool: pg.Pool;
  let schema: string;
  let outbox: PostgresOutbox;
  beforeAll(() => {
    pool = pgPool(4);
  });
  afterAll(async () => {
    await pool.end();
  });
  beforeEach(async () => {
    schema = freshSchema();
    outbox = createPostgresOutbox({ pool, schema });
    await outbox.migrate();
  });
  afterEach(async () => {
    await outbox.close();
    await dropSchema(pool, schema);
  });

  it('inserts rows in its own transaction or in the caller one', async () => {
    const transport = new OutboxTransport({ outbox });
    await transport.publishBatch([orderEvent('t1', 0), orderEvent('t2', 0)]);
    await expect(
      inTx(pool, async (c) => {
        await transport.publish(orderEvent('t1', 1), { tx: c });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    await inTx(pool, (c) => transport.publish(orderEvent('t1', 2), { tx: c }));
    expect(await outbox.stats()).toMatchObject({ pending: 3 });
    expect((await transport.health()).details).toMatchObject({ driver: 'postgres', pending: 3 });
  });
});
