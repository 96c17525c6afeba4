import type { EventEnvelope } from '@rustok/core';
import type { GroupLag, RedriveReport } from '@rustok/iggy';
import type { DemoPlan } from './plan';
import { plannedRevenue } from './plan';
import type { DeadLetterSnapshot } from './steps/dead-letters';
import type { ReplayResult } from './steps/replay';
import type { SourceResult } from './steps/source';
import type { WorkerPool } from './steps/workers';

/** Everything the steps produced, for the report. */
export interface DemoOutcome {
  dataDir: string;
  plan: DemoPlan;
  source: SourceResult;
  /** From the first publish until every event was handled or dead-lettered. */
  firstPassMs: number;
  workers: WorkerPool;
  assignments: number[][];
  deadLetters: DeadLetterSnapshot;
  redrive: RedriveReport;
  pendingAfterRedrive: number;
  finalLag: GroupLag;
  replay: ReplayResult;
}

/** One verified property of the run. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const count = (n: number | bigint): string => n.toLocaleString('en-US');
const rate = (n: number, ms: number): string => `${count(Math.round((n * 1000) / Math.max(ms, 1)))} events/s`;
const money = (cents: number, currency: string): string =>
  `${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;

function idsByTenant(events: readonly EventEnvelope[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of events) out.set(e.tenantId, [...(out.get(e.tenantId) ?? []), e.id]);
  return out;
}

function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** Evaluates the run: every check must pass for the demo to succeed. */
export function evaluate(o: DemoOutcome): Check[] {
  const published = o.source.published.length;
  const expected = idsByTenant(o.source.published);
  const revenue = plannedRevenue(o.plan);
  const outOfOrder = [...expected].filter(([t, ids]) => !sameOrder(o.workers.handledByTenant.get(t) ?? [], ids));
  const wrongRevenue = [...revenue].filter(([t, cents]) => o.replay.revenue.get(t) !== cents);
  const dlqTenants = o.deadLetters.tenants;
  const handledIds = new Set([...o.workers.handledByTenant.values()].flat());
  const leaked = o.source.rolledBack.filter((e) => handledIds.has(e.id) || o.replay.ids.has(e.id));
  const box = o.source.outbox;
  return [
    {
      name: 'outbox drained',
      ok: box.dispatched === published && box.pending === 0 && box.failed === 0 && o.source.ordersStored === o.plan.orders.length,
      detail: `${count(box.dispatched)} of ${count(published)} rows dispatched, ${box.pending} pending, ${box.failed} failed; ${count(o.source.ordersStored)} orders stored`,
    },
    {
      name: 'rolled-back events never published',
      ok: o.source.rolledBack.length === o.plan.rejected.length && o.source.rolledBackRows === 0 && leaked.length === 0,
      detail: `${o.source.rolledBack.length} rolled back; ${o.source.rolledBackRows} rows left behind, ${leaked.length} seen by workers or in the log`,
    },
    {
      name: 'every event handled',
      ok: o.workers.handled() === published,
      detail: `${count(o.workers.handled())} of ${count(published)} events handled once`,
    },
    {
      name: 'per-tenant order',
      ok: outOfOrder.length === 0,
      detail:
        outOfOrder.length === 0
          ? `each tenant's events were handled exactly in commit order`
          : `out of order: ${outOfOrder.map(([t]) => t).join(', ')}`,
    },
    {
      name: 'only the broken tenant dead-lettered',
      ok: o.deadLetters.total > 0 && dlqTenants.length === 1 && dlqTenants[0] === o.plan.brokenTenant,
      detail: `${count(o.deadLetters.total)} dead letters, tenants: ${dlqTenants.join(', ') || 'none'}`,
    },
    {
      name: 'DLQ drained by the redrive',
      ok: o.redrive.redriven.length === o.deadLetters.total && o.pendingAfterRedrive === 0,
      detail: `${count(o.redrive.redriven.length)} redriven, ${count(o.pendingAfterRedrive)} still pending`,
    },
    {
      name: 'replayed revenue matches',
      ok: wrongRevenue.length === 0,
      detail:
        wrongRevenue.length === 0
          ? `revenue of all ${revenue.size} tenants rebuilt from the log`
          : `differs for ${wrongRevenue.map(([t]) => t).join(', ')}`,
    },
    {
      name: 'replay skipped the redriven copies',
      ok: o.replay.duplicates === o.redrive.redriven.length,
      detail: `${count(o.replay.records)} records, ${count(o.replay.duplicates)} duplicates ignored`,
    },
    {
      name: 'final lag 0',
      ok: o.finalLag.total === 0n,
      detail: `group ${o.workers.group} lag ${o.finalLag.total}`,
    },
  ];
}

/** Prints the report: steps, per-tenant table, throughput, checks. */
export function printReport(o: DemoOutcome, checks: readonly Check[]): void {
  const published = o.source.published.length;
  const revenue = plannedRevenue(o.plan);
  const expected = idsByTenant(o.source.published);
  const currency = new Map(o.plan.tenants.map((t) => [t.id, t.currency]));
  const codes = Object.entries(o.deadLetters.byErrorCode)
    .map(([code, n]) => `${n} ${code}`)
    .join(', ');
  const log = console.log;

  log(`\nrustok-iggy demo: ${o.plan.orders.length} orders of ${o.plan.tenants.length} tenants on the embedded engine`);
  log(`data dir: ${o.dataDir}\n`);
  log(`1. outbox     the app committed ${count(published)} events, each with its order change in one SQLite transaction;`);
  log(`              ${o.source.rolledBack.length} transactions rolled back by the fraud check (their events were never published)`);
  log(`   relay      published the outbox to the embedded transport in tenant order: ${count(o.source.outbox.dispatched)} rows dispatched`);
  log(`2. workers    ${o.workers.perWorker.length} workers of group "${o.workers.group}" (partitions ${o.assignments.map((p) => `[${p.join(',')}]`).join(' ')})`);
  log(`              handled ${o.workers.perWorker.map(count).join(' / ')} events; ${o.workers.failedAttempts} failed attempts`);
  log(`3. DLQ        ${count(o.deadLetters.total)} events of ${o.plan.brokenTenant} dead-lettered (${codes}); the tenant was parked`);
  log(`4. redrive    after the fix: ${count(o.redrive.redriven.length)} redriven in order, ${count(o.pendingAfterRedrive)} left pending`);
  log(`5. replay     revenue per tenant rebuilt from ${count(o.replay.records)} log records in ${Math.round(o.replay.ms)} ms`);
  log('');
  const header = ['TENANT', 'EVENTS', 'ORDER', 'REVENUE PUBLISHED', 'REVENUE REPLAYED'];
  const rows = o.plan.tenants.map((t) => {
    const ids = expected.get(t.id) ?? [];
    const inOrder = sameOrder(o.workers.handledByTenant.get(t.id) ?? [], ids);
    return [
      t.id,
      count(ids.length),
      inOrder ? 'ok' : 'BROKEN',
      money(revenue.get(t.id) ?? 0, currency.get(t.id)!),
      money(o.replay.revenue.get(t.id) ?? 0, currency.get(t.id)!),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) {
    log(`  ${r.map((cell, i) => (i === 0 || i === 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}`);
  }
  log('');
  log(`outbox rows  written ${count(published)} / dispatched ${count(o.source.outbox.dispatched)} / rolled back ${o.source.rolledBack.length} (never published)`);
  log(`throughput   app commits ${rate(published, o.source.writeMs)}; relay ${rate(published, o.source.relayMs)} (first commit to last acknowledged, ${Math.round(o.source.relayMs - o.source.writeMs)} ms after the last commit)`);
  log(`             first pass end to end (commit to handled or parked) ${rate(published, o.firstPassMs)}`);
  log(`final lag    ${o.finalLag.total} (group ${o.workers.group}); ${o.workers.duplicates} duplicate deliveries ignored`);
  log('');
  for (const c of checks) log(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
  const failed = checks.filter((c) => !c.ok).length;
  log(failed === 0 ? `\nAll ${checks.length} checks passed.` : `\n${failed} of ${checks.length} checks FAILED.`);
}
