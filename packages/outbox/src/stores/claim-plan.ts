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

/** A row read while planning: `ok` tells whether it may be claimed now. */
export interface CandidateRow {
  id: string;
  tenantId: string;
  seq: number;
  ok: boolean;
}

/** Read up to `limit` unpublished rows of `tenantId` with `seq > afterSeq`, in `seq` order. */
export interface FetchRequest {
  tenantId: string;
  afterSeq: number;
  limit: number;
}

/** The plan: row ids to claim per tenant, each list a prefix in `seq` order. */
export interface ClaimPlan {
  byTenant: Map<string, Array<{ id: string; seq: number }>>;
}

/** Upper bound on planning rounds; the batch may stay a little short of full after it. */
export const MAX_PLAN_ROUNDS = 6;

/**
 * Plans a claim of at most `limit` rows starting at `heads` (ordered oldest first). A generator
 * so SQLite can drive it synchronously and PostgreSQL asynchronously: it yields fetch requests
 * and expects the rows read for them.
 */
export function* planClaim(
  heads: readonly HeadRow[],
  limit: number,
): Generator<FetchRequest[], ClaimPlan, CandidateRow[]> {
  interface State {
    tenantId: string;
    after: number;
    taken: Array<{ id: string; seq: number }>;
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
    const rows: CandidateRow[] = yield [...quotas].map(([s, quota]) => ({
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
        s.taken.push({ id: row.id, seq: row.seq });
        s.after = row.seq;
        remaining--;
      }
      if (got.length < quota) s.done = true;
    }
  }
  const byTenant = new Map<string, Array<{ id: string; seq: number }>>();
  for (const s of states) if (s.taken.length > 0) byTenant.set(s.tenantId, s.taken);
  return { byTenant };
}

/** All planned ids, in `seq` order. */
export function plannedIds(plan: ClaimPlan): string[] {
  return [...plan.byTenant.values()]
    .flat()
    .sort((a, b) => a.seq - b.seq)
    .map((r) => r.id);
}

/**
 * Keeps, per tenant, only the planned rows up to the first one that could not be claimed, so a
 * claim is always a prefix of the tenant's rows; returns the claimed ids to give back.
 */
export function idsBeyondGap(plan: ClaimPlan, claimed: ReadonlySet<string>): string[] {
  const release: string[] = [];
  for (const rows of plan.byTenant.values()) {
    const gap = rows.findIndex((r) => !claimed.has(r.id));
    if (gap === -1) continue;
    for (const r of rows.slice(gap + 1)) if (claimed.has(r.id)) release.push(r.id);
  }
  return release;
}

/** Runs a plan synchronously, reading rows with `fetch`. */
export function runPlanSync(
  heads: readonly HeadRow[],
  limit: number,
  fetch: (requests: FetchRequest[]) => CandidateRow[],
): ClaimPlan {
  const gen = planClaim(heads, limit);
  let step = gen.next();
  while (!step.done) step = gen.next(fetch(step.value));
  return step.value;
}

/** Runs a plan asynchronously, reading rows with `fetch`. */
export async function runPlanAsync(
  heads: readonly HeadRow[],
  limit: number,
  fetch: (requests: FetchRequest[]) => Promise<CandidateRow[]>,
): Promise<ClaimPlan> {
  const gen = planClaim(heads, limit);
  let step = gen.next();
  while (!step.done) step = gen.next(await fetch(step.value));
  return step.value;
}

function groupBySeq(rows: readonly CandidateRow[]): Map<string, CandidateRow[]> {
  const map = new Map<string, CandidateRow[]>();
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
