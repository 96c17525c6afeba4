import type { CandidateRow, FetchRequest } from '../claim-plan';

/**
 * Unpublished rows read in one pass in `seq` order, from `from` on: cheaper than a range read per
 * tenant when tenants interleave, which is the common case. The window holds every row with
 * `from <= seq <= end`, where `end` is the last row read (or the end of the table when the read
 * came back short), so a tenant's rows inside it are exactly what a per-tenant read would return.
 */
export class SeqWindow<R extends CandidateRow> {
  readonly #from: number;
  readonly #end: number;
  readonly #byTenant = new Map<string, R[]>();

  /** `rows` in `seq` order from `from` on; `complete` when they reach the end of the table. */
  constructor(rows: readonly R[], from: number, complete: boolean) {
    this.#from = from;
    this.#end = complete || rows.length === 0 ? Number.POSITIVE_INFINITY : rows[rows.length - 1]!.seq;
    for (const row of rows) {
      const list = this.#byTenant.get(row.tenantId);
      if (list === undefined) this.#byTenant.set(row.tenantId, [row]);
      else list.push(row);
    }
  }

  /**
   * The rows answering `request` (the tenant's first `limit` rows after `afterSeq`), or undefined
   * when the window cannot tell: it starts after `afterSeq`, or the tenant may have rows after
   * its end.
   */
  serve(request: FetchRequest): R[] | undefined {
    if (request.afterSeq + 1 < this.#from) return undefined;
    const list = this.#byTenant.get(request.tenantId) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.seq > request.afterSeq) hi = mid;
      else lo = mid + 1;
    }
    const rows = list.slice(lo, lo + request.limit);
    if (rows.length === request.limit || this.#end === Number.POSITIVE_INFINITY) return rows;
    return undefined;
  }
}
