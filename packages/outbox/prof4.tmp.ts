import Database from 'better-sqlite3';
import { createEvent, defineEvent, MemoryTransport } from '@rustok/core';
import { z } from 'zod';
import { createSqliteOutbox } from './src/sqlite/index';
import { createRelay } from './src/index';
const OrderCreated = defineEvent({ type: 'order.created', version: 1, payload: z.object({ orderId: z.string(), amount: z.number(), lines: z.array(z.object({ sku: z.string(), qty: z.number() })) }) });
const N = 20000;
const events = Array.from({ length: N }, (_, i) => createEvent(OrderCreated, { tenantId: `tenant-${i % 100}`, payload: { orderId: `ord-${i}`, amount: i, lines: [{ sku: 'a', qty: 1 }] }, headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } }));
for (let rep = 0; rep < 3; rep++) { (globalThis as any).T = {};
  const db = new Database(`/tmp/h6-prof4-${rep}.db`); db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL');
  const ob = createSqliteOutbox({ database: db }); await ob.migrate();
  for (let i = 0; i < N; i += 100) db.transaction(() => ob.write(db, events.slice(i, i + 100)))();
  const times: Record<string, number> = {};
  for (const m of ['claim', 'settle'] as const) {
    const orig = (ob as any)[m].bind(ob);
    (ob as any)[m] = async (...a: unknown[]) => { const t = performance.now(); try { return await orig(...a); } finally { times[m] = (times[m] ?? 0) + performance.now() - t; } };
  }
  const bus = new MemoryTransport({ capacity: N * 2 });
  await bus.subscribe('b', { handler: () => {} });
  let n = 0;
  const target = { reliability: 'streaming' as const, publish: (e: any) => bus.publish(e), async publishBatch(es: readonly any[]) { const t = performance.now(); const r = await bus.publishBatch(es); times.publish = (times.publish ?? 0) + performance.now() - t; n += es.length; return r; }, health: () => bus.health(), close: () => bus.close() };
  if (process.env.NOIDX) db.exec('DROP INDEX rustok_outbox_dispatched_idx'); const relay = createRelay({ store: ob, target: process.env.INSTANT ? { ...target, publishBatch: async (es: readonly any[]) => { n += es.length; return []; } } : target, batchSize: 500, pollIntervalMs: 5, metricsIntervalMs: 60000, retentionMs: process.env.RET0 ? 0 : 86400000 });
  const t = performance.now();
  await relay.start();
  while (n < N) await new Promise((r) => setTimeout(r, 1));
  console.log((globalThis as any).T, 'drain', Math.round(performance.now() - t), JSON.stringify(times, (k, v) => typeof v === 'number' ? Math.round(v) : v));
  await relay.stop(); await bus.close(); db.close();
}
