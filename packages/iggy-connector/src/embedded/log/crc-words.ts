/**
 * A table-driven CRC-32 (zlib's polynomial, reflected) over whole 32-bit little-endian words,
 * for the 52-byte record header: computing it in JS avoids creating a view and a native call per
 * record; the variable parts (headers, payload) continue with `zlib.crc32` on the caller's arrays.
 */
const T0 = new Int32Array(256);
const T1 = new Int32Array(256);
const T2 = new Int32Array(256);
const T3 = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  T0[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = T0[n] as number;
  c = (T0[c & 0xff] as number) ^ (c >>> 8);
  T1[n] = c;
  c = (T0[c & 0xff] as number) ^ (c >>> 8);
  T2[n] = c;
  c = (T0[c & 0xff] as number) ^ (c >>> 8);
  T3[n] = c;
}

/** zlib-compatible crc32 of `words` 4-byte words of `view` at `pos`, continued from `seed`. */
export function crc32Words(view: DataView, pos: number, words: number, seed: number): number {
  let c = ~seed;
  for (let w = 0; w < words; w++) {
    c ^= view.getInt32(pos + w * 4, true);
    c =
      (T3[c & 0xff] as number) ^
      (T2[(c >>> 8) & 0xff] as number) ^
      (T1[(c >>> 16) & 0xff] as number) ^
      (T0[c >>> 24] as number);
  }
  return ~c >>> 0;
}
