/**
 * Driver-neutral planning of a claim. A claim takes, for each claimable tenant (its earliest
 * unpublished row is pending, due and not leased), a contiguous prefix of that tenant's
 * unpublished rows, stopping at the first row that is not claimable. The batch is shared out
 * evenly between tenants ("water filling"): each round asks every tenant still hungry for an equal
 * share of the room left, so one tenant's backlog never crowds out the others and each round
 * reads only about as many rows as the batch can hold.
 */

/** A tenant's earliest unpublished row, already checked claimable (and locked on PostgreSQL). */
export interface HeadRow {
  id: string;
  tenantId: string;
  seq: number;
}

/** A row read while planning: `ok` tells whether it may be claimed now (SQLite gives 0/1). */
export interface CandidateRow {
  id: string;
  tenantId: string;
  seq: number;
  ok: boolean | number;
}

/** Read up to `limit` unpublished rows of `tenantId` with `seq > afterSeq`, in `seq` order. */
export interface FetchRequest {
  tenantId: string;
  afterSeq: number;
  limit: number;
}

/** The plan: rows to claim per tenant, each list a prefix in `seq` order. */
export interface ClaimPlan<R extends CandidateRow = CandidateRow> {
  byTenant: Map<string, R[]>;
}

/** Upper bound on planning rounds; the batch may stay a little short of full after it. */
export const MAX_PLAN_ROUNDS = 6;

/**
 * Plans a claim of at most `limit` rows starting at `heads` (ordered oldest first). A generator
 * so SQLite can drive it synchronously and PostgreSQL asynchronously: it yields fetch requests
 * and expects the rows read for them.
 */
export function* planClaim<R extends CandidateRow>(
  heads: readonly HeadRow[],
  limit: number,
): Generator<FetchRequest[], ClaimPlan<R>, R[]> {
  interface State {
    tenantId: string;
    after: number;
    taken: R[];
    done: boolean;
  }
  const states: State[] = heads
    .slice(0, Math.max(0, limit))
    .map((h) => ({ tenantId: h.tenantId, after: h.seq - 1, taken: [], done: false }));
  let remaining = Math.max(0, limit);
  for (let round = 0; round < MAX_PLAN_ROUNDS && remaining > 0; round++) {
    const active = states.filter((s) => !s.done);
    if (active.length === 0) break;
    const base = Math.floor(remaining / active.length);
    const extra = remaining % active.length;
    const quotas = new Map<State, number>();
    active.forEach((s, i) => {
      const quota = base + (i < extra ? 1 : 0);
      if (quota > 0) quotas.set(s, quota);
    });
    const rows: R[] = yield [...quotas].map(([s, quota]) => ({
      tenantId: s.tenantId,
      afterSeq: s.after,
      limit: quota,
    }));
    const byTenant = groupBySeq(rows);
    for (const [s, quota] of quotas) {
      const got = (byTenant.get(s.tenantId) ?? []).filter((r) => r.seq > s.after).slice(0, quota);
      for (const row of got) {
        if (!row.ok) {
          s.done = true;
          break;
        }
        s.taken.push(row);
        s.after = row.seq;
        remaining--;
      }
      if (got.length < quota) s.done = true;
    }
  }
  const byTenant = new Map<string, R[]>();
  for (const s of states) if (s.taken.length > 0) byTenant.set(s.tenantId, s.taken);
  return { byTenant };
}

/** All planned rows, in `seq` order. */
export function plannedRows<R extends CandidateRow>(plan: ClaimPlan<R>): R[] {
  return [...plan.byTenant.values()].flat().sort((a, b) => a.seq - b.seq);
}

/** The lease row of each planned tenant: its first (earliest) planned row. */
export function leaseRows<R extends CandidateRow>(plan: ClaimPlan<R>): R[] {
  return [...plan.byTenant.values()].map((rows) => rows[0]!);
}

/** Runs a plan synchronously, reading rows with `fetch`. */
export function runPlanSync<R extends CandidateRow>(
  heads: readonly HeadRow[],
  limit: number,
  fetch: (requests: FetchRequest[]) => R[],
): ClaimPlan<R> {
  const gen = planClaim<R>(heads, limit);
  let step = gen.next();
  while (!step.done) step = gen.next(fetch(step.value));
  return step.value;
}

/** Runs a plan asynchronously, reading rows with `fetch`. */
export async function runPlanAsync<R extends CandidateRow>(
  heads: readonly HeadRow[],
  limit: number,
  fetch: (requests: FetchRequest[]) => Promise<R[]>,
): Promise<ClaimPlan<R>> {
  const gen = planClaim<R>(heads, limit);
  let step = gen.next();
  while (!step.done) step = gen.next(await fetch(step.value));
  return step.value;
}

function groupBySeq<R extends CandidateRow>(rows: readonly R[]): Map<string, R[]> {
  const map = new Map<string, R[]>();
  for (const row of rows) {
    let list = map.get(row.tenantId);
    if (list === undefined) {
      list = [];
      map.set(row.tenantId, list);
    }
    list.push(row);
  }
  for (const list of map.values()) list.sort((a, b) => a.seq - b.seq);
  return map;
}
