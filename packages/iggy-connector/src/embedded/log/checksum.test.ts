import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Implementation, zlibCrc } from './checksum';

describe('crc32', () => {
  it('is the standard CRC-32 (check value of "123456789")', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(zlibCrc(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  // (zlib returns 0 for zero bytes whatever the seed; the engine never checksums empty input.)
  it('matches zlib for any non-empty bytes, seed and view offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 300 }), fc.nat({ max: 0xffff_ffff }), fc.nat({ max: 7 }), (raw, seed, skip) => {
        const view = Buffer.from(raw).subarray(skip);
        expect(crc32(view, seed)).toBe(zlibCrc(view, seed));
      }),
    );
  });

  it('uses the native implementation where it is installed', () => {
    // The package depends on @node-rs/crc32, which ships a build for this CI's platform.
    expect(crc32Implementation).toBe('native');
  });
});
