/**
 * The main demo: an order stream of several tenants on IggyTransport's embedded engine.
 * Workers of one consumer group process it in per-tenant order, a broken tenant's events go to
 * the DLQ, a fix and a redrive complete them, and a replay rebuilds revenue per tenant.
 * Run from the repository root: `npx -y pnpm@10.34.8 run demo`.
 */
import { fileURLToPath } from 'node:url';
import { buildPlan } from './plan';
import { type DemoOutcome, evaluate, printReport } from './report';
import { fixAndRedrive, inspectDeadLetters } from './steps/dead-letters';
import { openTransport } from './steps/open-transport';
import { rebuildRevenue } from './steps/replay';
import { settle } from './steps/settle';
import { directSource, type EventSource } from './steps/source';
import { startWorkers } from './steps/workers';

const dataDir = fileURLToPath(new URL('../.rustok/iggy', import.meta.url));
const plan = buildPlan(150);
// Where events come from: straight from the app today. An outbox source (orders and events in
// SQLite transactions, published by a relay) plugs in here with the same interface.
const source: EventSource = directSource(100);

const transport = await openTransport(dataDir);
try {
  const workers = await startWorkers(transport, plan, { group: 'fulfilment', count: 3 });
  const assignments = workers.assignments();

  const started = performance.now();
  const sourced = await source.run(plan, transport);
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
  console.log('\nExplore the data from the repository root with the CLI, e.g.:');
  console.log('  node packages/iggy/dist/cli.js groups --data-dir examples/demo/.rustok/iggy');
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
} finally {
  await transport.close();
}
