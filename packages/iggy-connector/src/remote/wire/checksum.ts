import { xxh3 } from '@node-rs/xxhash';

/** XXH3-64 with seed 0 of `bytes`, as an unsigned bigint. */
export function xxh3_64(bytes: Uint8Array): bigint {
  return xxh3.xxh64(bytes);
}
