import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tenantPartition } from './tenant-partition';
import { xxhash32, xxhash32String } from './xxhash32';

describe('xxhash32', () => {
  it.each([
    ['', 0x02cc5d05],
    ['a', 0x550d7456],
    ['abc', 0x32d153ff],
    ['tenant-123', 0x040ac5e9],
    ['00000000-0000-0000-0000-000000000000', 0x2c82ee0b],
  ])('hashes %j to the DESIGN reference value', (input, expected) => {
    expect(xxhash32String(input)).toBe(expected);
  });

  it('matches the published reference for a long input (all four lanes)', () => {
    // Reference value of XXH32("Nobody inspects the spammish repetition", 0).
    expect(xxhash32String('Nobody inspects the spammish repetition')).toBe(0xe2293b2f);
  });

  it('honours the seed', () => {
    expect(xxhash32String('abc', 1)).not.toBe(xxhash32String('abc', 0));
  });

  it('is a stable unsigned 32-bit value for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const h = xxhash32(bytes);
        expect(Number.isInteger(h)).toBe(true);
        expect(h).toBeGreaterThanOrEqual(0);
        expect(h).toBeLessThanOrEqual(0xffffffff);
        expect(xxhash32(Uint8Array.from(bytes))).toBe(h);
      }),
    );
  });
});

describe('tenantPartition', () => {
  it('places the reference tenants', () => {
    expect(tenantPartition('tenant-123', 8)).toBe(1);
    expect(tenantPartition('00000000-0000-0000-0000-000000000000', 8)).toBe(3);
  });

  it('is stable and within range', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 1000 }), (t, n) => {
        const p = tenantPartition(t, n);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(n);
        expect(tenantPartition(t, n)).toBe(p);
      }),
    );
  });

  it('rejects a non-positive partition count', () => {
    expect(() => tenantPartition('t', 0)).toThrow(/positive integer/);
  });
});
