import { describe, expect, it } from 'vitest';
import { SeqWindow } from './seq-window';

const row = (tenantId: string, seq: number) => ({ id: `${tenantId}-${seq}`, tenantId, seq, ok: 1 });

describe('SeqWindow', () => {
  // Rows 10..15 of tenants a and b, interleaved; the read stopped at its limit (more may follow).
  const rows = [row('a', 10), row('b', 11), row('a', 12), row('b', 13), row('a', 14), row('b', 15)];
  const window = new SeqWindow(rows, 10, false);

  it("answers a tenant's next rows when the window holds enough of them", () => {
    expect(window.serve({ tenantId: 'a', afterSeq: 9, limit: 2 })?.map((r) => r.seq)).toEqual([10, 12]);
    expect(window.serve({ tenantId: 'b', afterSeq: 11, limit: 2 })?.map((r) => r.seq)).toEqual([13, 15]);
  });

  it('cannot tell when the tenant may have more rows after the window, or the request starts before it', () => {
    expect(window.serve({ tenantId: 'a', afterSeq: 12, limit: 2 })).toBeUndefined();
    expect(window.serve({ tenantId: 'c', afterSeq: 9, limit: 1 })).toBeUndefined();
    expect(window.serve({ tenantId: 'a', afterSeq: 5, limit: 1 })).toBeUndefined();
  });

  it('answers short when the read reached the end of the table', () => {
    const complete = new SeqWindow(rows, 10, true);
    expect(complete.serve({ tenantId: 'a', afterSeq: 12, limit: 5 })?.map((r) => r.seq)).toEqual([14]);
    expect(complete.serve({ tenantId: 'c', afterSeq: 9, limit: 5 })).toEqual([]);
  });
});
