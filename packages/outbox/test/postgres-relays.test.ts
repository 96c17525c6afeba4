import type { EventTransport } from '@rustok/core';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelay } from '../src/index';
import { createPostgresOutbox } from '../src/postgres/index';
import { strictOrderViolations, tenantEvents } from './helpers/events';
import { FakeTarget } from './helpers/fake-target';
import { dropSchema, freshSchema, inTx, pgPool, pgUrl } from './helpers/pg';
import { waitFor } from './helpers/wait';

const EVENTS = 20_000;
const TENANTS = 100;
const PER_TX = 200;

describe.skipIf(pgUrl === null)('three relays on one PostgreSQL database', () => {
  let pool: pg.Pool;
  const schema = freshSchema();

  beforeAll(() => {
    pool = pgPool(16);
  });
  afterAll(async () => {
    await dropSchema(pool, schema);
    await pool.end();
  });

  it(`deliver ${EVENTS} events of ${TENANTS} tenants: none lost, none twice, per-tenant order intact`, async () => {
    const outbox = createPostgresOutbox({ pool, schema });
    await outbox.migrate();
    // One shared target: its `published` list is the order a consumer would see.
    const target = new FakeTarget();
    target.delayMs = 2; // widen the window in which relays overlap
    const perRelay = [0, 0, 0];
    const relays = perRelay.map((_, i) => {
      const counting: EventTransport = {
        reliability: target.reliability,
        publish: (e) => target.publish(e),
        publishBatch: (envelopes) => {
          perRelay[i]! += envelopes.length;
          return target.publishBatch(envelopes);
        },
        health: () => target.health(),
        close: () => target.close(),
      };
      return createRelay({ store: outbox, target: counting, workerId: `relay-${i}`, batchSize: 250, pollIntervalMs: 200 });
    });
    await Promise.all(relays.map((r) => r.start()));
    const started = Date.now();
    const events = tenantEvents(EVENTS, TENANTS);
    // Four concurrent writers, each owning a quarter of the tenants so per-tenant commit order is defined.
    const writers = [0, 1, 2, 3].map(async (w) => {
      const mine = events.filter((e) => Number(e.tenantId.slice(1)) % 4 === w);
      for (let i = 0; i < mine.length; i += PER_TX) {
        await inTx(pool, (c) => outbox.write(c, mine.slice(i, i + PER_TX)));
      }
    });
    await Promise.all(writers);
    await waitFor(() => target.published.length >= EVENTS, 'every event', 60_000, 20);
    const elapsed = Date.now() - started;
    await Promise.all(relays.map((r) => r.stop()));
    await outbox.close();

    expect(target.published).toHaveLength(EVENTS);
    expect(new Set(target.published.map((e) => e.id)).size).toBe(EVENTS);
    expect(strictOrderViolations(target.seen())).toEqual([]);
    expect(await createPostgresOutbox({ pool, schema }).stats()).toMatchObject({ pending: 0, dispatched: EVENTS });
    console.log(`[outbox] 3 relays delivered ${EVENTS} events in ${elapsed} ms (per relay: ${perRelay.join(', ')})`);
    expect(perRelay.every((n) => n > 0)).toBe(true);
    expect(elapsed).toBeLessThan(45_000);
  }, 90_000);
});
