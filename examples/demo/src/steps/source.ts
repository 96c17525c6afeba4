import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { EventEnvelope, EventTransport, Metrics } from '@rustok/core';
import { createRelay, type OutboxStats, RelayMetrics } from '@rustok/outbox';
import { createSqliteOutbox } from '@rustok/outbox/sqlite';
import type Database from 'better-sqlite3';
import { registry } from '../events';
import type { DemoPlan } from '../plan';
import { OrderApp, OrderRejectedError, planCommands } from './app';
import { waitFor } from './wait';

/** What the app committed, what the relay delivered, and how long each took. */
export interface SourceResult {
  /** Events of committed transactions, in commit order (what the relay must deliver). */
  published: EventEnvelope[];
  /** Events written by transactions that rolled back (they must never be delivered). */
  rolledBack: EventEnvelope[];
  /** Rows the rolled-back transactions left in `orders` or the outbox (must be 0). */
  rolledBackRows: number;
  /** Rows in the `orders` table after the run. */
  ordersStored: number;
  /** The outbox once drained: everything dispatched, nothing pending or failed. */
  outbox: OutboxStats;
  /** From the first to the last commit of the app. */
  writeMs: number;
  /** From the first commit until the relay recorded the last event as acknowledged by the transport. */
  relayMs: number;
}

/** Commands between two yields to the event loop, so relay, transport and workers run meanwhile. */
const COMMANDS_PER_TICK = 25;

/**
 * Step 1: the app writes orders and their events in SQLite transactions (the outbox), while a
 * relay publishes the committed rows to `transport`, keeping each tenant's commit order. Returns
 * once the relay drained the outbox.
 */
export async function runOutboxSource(plan: DemoPlan, db: Database.Database, transport: EventTransport): Promise<SourceResult> {
  const outbox = createSqliteOutbox({ database: db, registry });
  await outbox.migrate();
  const app = new OrderApp(db, outbox);
  let lastAck = 0;
  const metrics: Metrics = {
    increment: (name) => {
      if (name === RelayMetrics.published) lastAck = performance.now();
    },
    observe: () => {},
    gauge: () => {},
  };
  // SQLite relays are woken by writes made through the same outbox object; they poll otherwise.
  const relay = createRelay({ store: outbox, target: transport, workerId: 'demo-relay', pollIntervalMs: 50, metrics });
  await relay.start();
  const published: EventEnvelope[] = [];
  const rolledBack: EventEnvelope[] = [];
  const start = performance.now();
  try {
    const commands = planCommands(plan);
    for (let i = 0; i < commands.length; i++) {
      try {
        published.push(app.handle(commands[i]!));
      } catch (err) {
        if (!(err instanceof OrderRejectedError)) throw err;
        rolledBack.push(err.event);
      }
      if (i % COMMANDS_PER_TICK === COMMANDS_PER_TICK - 1) await yieldToLoop();
    }
    const writeMs = performance.now() - start;
    await waitFor(async () => (await outbox.stats()).pending === 0, 'the relay to drain the outbox');
    return {
      published,
      rolledBack,
      rolledBackRows:
        app.countIn('orders', 'order_id', plan.rejected.map((o) => o.orderId)) +
        app.countIn('rustok_outbox', 'id', rolledBack.map((e) => e.id)),
      ordersStored: app.orderCount(),
      outbox: await outbox.stats(),
      writeMs,
      relayMs: lastAck - start,
    };
  } finally {
    await relay.stop();
    await outbox.close();
  }
}
