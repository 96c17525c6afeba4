import { createEvent, type EventEnvelope } from '@rustok/core';
import type { SqliteOutbox } from '@rustok/outbox/sqlite';
import type Database from 'better-sqlite3';
import { OrderCancelled, OrderCreated, OrderPaid, OrderShipped } from '../events';
import type { DemoPlan, PlannedOrder } from '../plan';

/** One business command of the app: a step in an order's life. */
export interface Command {
  order: PlannedOrder;
  step: 'create' | 'pay' | 'ship' | 'cancel';
  /** The fraud check rejects this order after it was recorded (its transaction rolls back). */
  fraud?: boolean;
}

/** Thrown by the fraud check; the transaction rolled back, so `event` was never committed. */
export class OrderRejectedError extends Error {
  /** The event the rolled-back transaction had written to the outbox. */
  readonly event: EventEnvelope;

  constructor(event: EventEnvelope, orderId: string) {
    super(`order ${orderId} rejected by the fraud check`);
    this.name = 'OrderRejectedError';
    this.event = event;
  }
}

function lifecycle(order: PlannedOrder): Command[] {
  const steps: Command['step'][] =
    order.outcome === 'cancelled' ? ['create', 'cancel'] : order.outcome === 'paid' ? ['create', 'pay'] : ['create', 'pay', 'ship'];
  return steps.map((step) => ({ order, step }));
}

/**
 * The plan as live traffic: each tenant's commands in order (every order's lifecycle, one order
 * after the other, with its rejected order halfway), tenants interleaved round-robin.
 */
export function planCommands(plan: DemoPlan): Command[] {
  const perTenant = plan.tenants.map((t) => {
    const commands = plan.orders.filter((o) => o.tenantId === t.id).flatMap(lifecycle);
    for (const order of plan.rejected.filter((o) => o.tenantId === t.id)) {
      commands.splice(Math.floor(commands.length / 2), 0, { order, step: 'create', fraud: true });
    }
    return commands;
  });
  const out: Command[] = [];
  for (let i = 0; perTenant.some((commands) => i < commands.length); i++) {
    for (const commands of perTenant) if (i < commands.length) out.push(commands[i]!);
  }
  return out;
}

function eventOf({ order, step }: Command): EventEnvelope {
  const { tenantId, orderId, currency } = order;
  switch (step) {
    case 'create':
      return createEvent(OrderCreated, {
        tenantId,
        payload: { orderId, customerId: order.customerId, lines: order.lines, total: { cents: order.totalCents, currency } },
      });
    case 'pay':
      return createEvent(OrderPaid, {
        tenantId,
        payload: { orderId, amount: { cents: order.totalCents, currency }, method: order.method },
      });
    case 'ship':
      return createEvent(OrderShipped, {
        tenantId,
        payload: { orderId, carrier: order.carrier, trackingId: `${order.carrier.toUpperCase()}${orderId}` },
      });
    case 'cancel':
      return createEvent(OrderCancelled, { tenantId, payload: { orderId, reason: 'customer request' } });
  }
}

/**
 * The order service: every command changes the `orders` table and writes its event to the outbox
 * in ONE SQLite transaction, so the order and its event commit together or not at all.
 */
export class OrderApp {
  readonly #db: Database.Database;
  readonly #outbox: SqliteOutbox;
  readonly #insert: Database.Statement;
  readonly #advance: Database.Statement;

  /** Creates the `orders` table (the outbox table comes from `outbox.migrate()`). */
  constructor(db: Database.Database, outbox: SqliteOutbox) {
    db.exec(`CREATE TABLE IF NOT EXISTS orders (
      tenant_id TEXT NOT NULL, order_id TEXT NOT NULL, customer_id TEXT NOT NULL, status TEXT NOT NULL,
      total_cents INTEGER NOT NULL, currency TEXT NOT NULL, carrier TEXT,
      PRIMARY KEY (tenant_id, order_id))`);
    this.#db = db;
    this.#outbox = outbox;
    this.#insert = db.prepare(
      `INSERT INTO orders (tenant_id, order_id, customer_id, status, total_cents, currency) VALUES (?, ?, ?, 'created', ?, ?)`,
    );
    this.#advance = db.prepare(
      'UPDATE orders SET status = @to, carrier = COALESCE(@carrier, carrier) WHERE tenant_id = @tenant AND order_id = @order AND status = @from',
    );
  }

  /** Runs one command in a transaction; returns the committed event or throws `OrderRejectedError`. */
  handle(command: Command): EventEnvelope {
    const event = eventOf(command);
    const { order, step } = command;
    this.#db.transaction(() => {
      if (step === 'create') {
        this.#insert.run(order.tenantId, order.orderId, order.customerId, order.totalCents, order.currency);
      } else {
        const [from, to] = step === 'pay' ? ['created', 'paid'] : step === 'ship' ? ['paid', 'shipped'] : ['created', 'cancelled'];
        const carrier = step === 'ship' ? order.carrier : null;
        const changed = this.#advance.run({ to, carrier, tenant: order.tenantId, order: order.orderId, from }).changes;
        if (changed !== 1) throw new Error(`order ${order.orderId} is not ${from}`);
      }
      this.#outbox.write(this.#db, event);
      if (command.fraud) throw new OrderRejectedError(event, order.orderId); // rolls back both writes
    })();
    return event;
  }

  /** How many rows of `table` have `column` in `values` (to prove rolled-back writes left nothing). */
  countIn(table: 'orders' | 'rustok_outbox', column: 'order_id' | 'id', values: readonly string[]): number {
    const sql = `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(?))`;
    return (this.#db.prepare(sql).get(JSON.stringify(values)) as { n: number }).n;
  }

  /** Rows in the `orders` table. */
  orderCount(): number {
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n;
  }
}
