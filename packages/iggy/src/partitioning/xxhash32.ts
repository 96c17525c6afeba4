const PRIME1 = 0x9e3779b1;
const PRIME2 = 0x85ebca77;
const PRIME3 = 0xc2b2ae3d;
const PRIME4 = 0x27d4eb2f;
const PRIME5 = 0x165667b1;

const encoder = new TextEncoder();

function rotl(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

function readU32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0
  );
}

function round(acc: number, lane: number): number {
  const mixed = (acc + Math.imul(lane, PRIME2)) >>> 0;
  return Math.imul(rotl(mixed, 13), PRIME1) >>> 0;
}

/** xxHash32 of `bytes` with the given seed (default 0), as an unsigned 32-bit integer. */
export function xxhash32(bytes: Uint8Array, seed = 0): number {
  const length = bytes.length;
  let pos = 0;
  let hash: number;
  if (length >= 16) {
    let v1 = (seed + PRIME1 + PRIME2) >>> 0;
    let v2 = (seed + PRIME2) >>> 0;
    let v3 = seed >>> 0;
    let v4 = (seed - PRIME1) >>> 0;
    const limit = length - 16;
    while (pos <= limit) {
      v1 = round(v1, readU32(bytes, pos));
      v2 = round(v2, readU32(bytes, pos + 4));
      v3 = round(v3, readU32(bytes, pos + 8));
      v4 = round(v4, readU32(bytes, pos + 12));
      pos += 16;
    }
    hash = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) >>> 0;
  } else {
    hash = (seed + PRIME5) >>> 0;
  }
  hash = (hash + length) >>> 0;
  while (pos + 4 <= length) {
    hash = (hash + Math.imul(readU32(bytes, pos), PRIME3)) >>> 0;
    hash = Math.imul(rotl(hash, 17), PRIME4) >>> 0;
    pos += 4;
  }
  while (pos < length) {
    hash = (hash + Math.imul(bytes[pos]!, PRIME5)) >>> 0;
    hash = Math.imul(rotl(hash, 11), PRIME1) >>> 0;
    pos += 1;
  }
  hash = Math.imul(hash ^ (hash >>> 15), PRIME2) >>> 0;
  hash = Math.imul(hash ^ (hash >>> 13), PRIME3) >>> 0;
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** xxHash32 (seed 0) of the UTF-8 bytes of `text`. */
export function xxhash32String(text: string, seed = 0): number {
  return xxhash32(encoder.encode(text), seed);
}
