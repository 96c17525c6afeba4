import { crc32 as zlibCrc32 } from 'node:zlib';

/**
 * CRC-32 as in zlib, zip and PNG (polynomial 0x04C11DB7 reflected, init and final xor
 * 0xFFFFFFFF) of `bytes`, continued from `seed` (0 starts a new checksum).
 */
export function crc32(bytes: Uint8Array, seed = 0): number {
  return zlibCrc32(bytes, seed);
}
