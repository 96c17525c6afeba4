/**
 * The main demo (DESIGN §7) on the embedded default: an order service writes orders and their
 * events in SQLite transactions (the outbox), a relay publishes them to IggyTransport's embedded
 * engine, workers of one consumer group process them in per-tenant order, a broken tenant's
 * events go to the DLQ, a fix and a redrive complete them, and a replay rebuilds revenue per
 * tenant. Run from the repository root: `npx -y pnpm@10.34.8 run demo`. Everything lives under
 * `examples/demo/.rustok` (or `$RUSTOK_DEMO_DIR`), reset at start.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlan } from './plan';
import { type DemoOutcome, evaluate, printReport } from './report';
import { fixAndRedrive, inspectDeadLetters } from './steps/dead-letters';
import { openDatabase } from './steps/open-database';
import { openTransport } from './steps/open-transport';
import { rebuildRevenue } from './steps/replay';
import { settle } from './steps/settle';
import { runOutboxSource } from './steps/source';
import { startWorkers } from './steps/workers';

const dataDir = resolve(process.env.RUSTOK_DEMO_DIR ?? fileURLToPath(new URL('../.rustok', import.meta.url)));
const iggyDir = join(dataDir, 'iggy');
await mkdir(dataDir, { recursive: true });
const plan = buildPlan(150);

const db = await openDatabase(join(dataDir, 'app.db'));
const transport = await openTransport(iggyDir);
try {
  const workers = await startWorkers(transport, plan, { group: 'fulfilment', count: 3 });
  const assignments = workers.assignments();

  const started = performance.now();
  const sourced = await runOutboxSource(plan, db, transport);
  await settle(transport, workers, sourced.published.length, true);
  const firstPassMs = performance.now() - started;

  const deadLetters = await inspectDeadLetters(transport);
  const redrive = await fixAndRedrive(transport, workers, plan.brokenTenant);
  await settle(transport, workers, sourced.published.length, false);
  await workers.close();
  const pendingAfterRedrive = (await transport.dlq.summary({ status: 'pending' })).total;
  const finalLag = await transport.lag(workers.group);

  const replay = await rebuildRevenue(transport);

  const outcome: DemoOutcome = {
    dataDir,
    plan,
    source: sourced,
    firstPassMs,
    workers,
    assignments,
    deadLetters,
    redrive,
    pendingAfterRedrive,
    finalLag,
    replay,
  };
  const checks = evaluate(outcome);
  printReport(outcome, checks);
  console.log('\nExplore the data with the CLI from the repository root, e.g.:');
  console.log(`  node packages/iggy/dist/cli.js groups --data-dir ${iggyDir}`);
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
} finally {
  await transport.close();
  db.close();
}
