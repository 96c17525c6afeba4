import { createRequire } from 'node:module';
import { crc32 as zlibCrc32 } from 'node:zlib';

/** A CRC-32 function: checksum of `bytes`, continued from `seed` (0 starts a new one). */
export type Crc32 = (bytes: Uint8Array, seed?: number) => number;

/**
 * Loads the SIMD CRC-32 of `@node-rs/crc32` (a native addon, several times faster than zlib's
 * on large buffers), or returns null when no build of it loads on this platform.
 */
function loadNativeCrc32(): Crc32 | null {
  try {
    const native = createRequire(import.meta.url)('@node-rs/crc32') as { crc32?: unknown };
    return typeof native.crc32 === 'function' ? (native.crc32 as Crc32) : null;
  } catch {
    return null;
  }
}

/** zlib's CRC-32 (always available, the reference the native one must match). */
export const zlibCrc: Crc32 = (bytes, seed = 0) => zlibCrc32(bytes, seed);

const native = loadNativeCrc32();

/** Which implementation `crc32` uses. */
export const crc32Implementation: 'native' | 'zlib' = native === null ? 'zlib' : 'native';

/**
 * CRC-32 as in zlib, zip and PNG (polynomial 0x04C11DB7 reflected, init and final xor
 * 0xFFFFFFFF) of `bytes`, continued from `seed`.
 */
export const crc32: Crc32 = native ?? zlibCrc;
