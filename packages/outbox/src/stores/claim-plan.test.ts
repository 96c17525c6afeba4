import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FetchRequest, leaseRows, plannedRows, runPlanSync } from './claim-plan';

interface Row {
  id: string;
  tenantId: string;
  seq: number;
  ok: boolean;
}

/** Builds a table from per-tenant lists of "claimable?" flags, with interleaved global seqs. */
function table(tenants: boolean[][]): Row[] {
  const rows: Row[] = [];
  let seq = 1;
  const longest = Math.max(0, ...tenants.map((t) => t.length));
  for (let i = 0; i < longest; i++) {
    tenants.forEach((flags, t) => {
      if (i < flags.length) rows.push({ id: `t${t}-${i}`, tenantId: `t${t}`, seq: seq++, ok: flags[i]! });
    });
  }
  return rows;
}

function fetcher(rows: Row[]) {
  return (requests: FetchRequest[]): Row[] =>
    requests.flatMap((r) =>
      rows.filter((x) => x.tenantId === r.tenantId && x.seq > r.afterSeq).slice(0, r.limit),
    );
}

function headsOf(rows: Row[]) {
  const heads = new Map<string, Row>();
  for (const r of rows) if (!heads.has(r.tenantId)) heads.set(r.tenantId, r);
  return [...heads.values()].filter((h) => h.ok).sort((a, b) => a.seq - b.seq);
}

describe('planClaim', () => {
  it('shares the batch evenly and keeps each tenant a prefix', () => {
    const rows = table([Array(10).fill(true), [true, true], Array(10).fill(true)]);
    const plan = runPlanSync(headsOf(rows), 9, fetcher(rows));
    const ids = plannedRows(plan).map((r) => r.id);
    expect(ids).toHaveLength(9);
    expect(plan.byTenant.get('t1')?.map((r) => r.id)).toEqual(['t1-0', 't1-1']);
    expect(plan.byTenant.get('t0')?.length).toBeGreaterThanOrEqual(3);
    expect(plan.byTenant.get('t2')?.length).toBeGreaterThanOrEqual(3);
  });

  it('stops a tenant at its first row that cannot be claimed', () => {
    const rows = table([[true, true, false, true], [true]]);
    const plan = runPlanSync(headsOf(rows), 100, fetcher(rows));
    expect(plan.byTenant.get('t0')?.map((r) => r.id)).toEqual(['t0-0', 't0-1']);
    expect(plan.byTenant.get('t1')?.map((r) => r.id)).toEqual(['t1-0']);
  });

  it('property: prefixes of claimable rows, within the limit, full unless every tenant is exhausted', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.boolean(), { maxLength: 30 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 60 }),
        (tenants, limit) => {
          const rows = table(tenants);
          const heads = headsOf(rows);
          const plan = runPlanSync(heads, limit, fetcher(rows));
          const ids = plannedRows(plan).map((r) => r.id);
          expect(ids.length).toBeLessThanOrEqual(limit);
          expect(new Set(ids).size).toBe(ids.length);
          let exhausted = true;
          for (const [tenantId, taken] of plan.byTenant) {
            const own = rows.filter((r) => r.tenantId === tenantId);
            expect(taken.map((r) => r.id)).toEqual(own.slice(0, taken.length).map((r) => r.id));
            expect(own.slice(0, taken.length).every((r) => r.ok)).toBe(true);
            const next = own[taken.length];
            if (next?.ok) exhausted = false;
          }
          for (const h of heads) if (!plan.byTenant.has(h.tenantId)) exhausted = false;
          if (ids.length < limit) expect(exhausted).toBe(true);
        },
      ),
    );
  });

  it('leases each tenant on its first planned row and returns rows in seq order', () => {
    const rows = table([[true, true], [true, true, true]]);
    const plan = runPlanSync(headsOf(rows), 10, fetcher(rows));
    expect(leaseRows(plan).map((r) => r.id)).toEqual(['t0-0', 't1-0']);
    expect(plannedRows(plan).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
  });
});
