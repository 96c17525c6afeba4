import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TenantHashCache } from './tenant-hash-cache';
import { tenantPartition } from './tenant-partition';

describe('TenantHashCache', () => {
  it('places every tenant exactly like tenantPartition, cached or not', () => {
    const cache = new TenantHashCache(8);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 1000 }), (tenant, n) => {
        expect(cache.partition(tenant, n)).toBe(tenantPartition(tenant, n));
        expect(cache.partition(tenant, n)).toBe(tenantPartition(tenant, n));
      }),
      { numRuns: 300 },
    );
    expect(cache.partition('tenant-123', 8)).toBe(1);
  });

  it('stays within its capacity', () => {
    const cache = new TenantHashCache(4);
    for (let i = 0; i < 10; i++) cache.partition(`t-${i}`, 8);
    expect(cache.size).toBeLessThanOrEqual(4);
    expect(cache.size).toBeGreaterThan(0);
  });

  it('rejects a bad partition count like tenantPartition', () => {
    expect(() => new TenantHashCache().partition('a', 0)).toThrow(/positive integer/);
  });
});
