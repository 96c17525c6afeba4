const EMPTY = 0xc15d213aa4d7a795n;
const MASK64 = 0xffffffffffffffffn;

let table: BigUint64Array | undefined;

function fingerprintTable(): BigUint64Array {
  if (table) return table;
  const t = new BigUint64Array(256);
  for (let i = 0; i < 256; i++) {
    let fp = BigInt(i);
    for (let bit = 0; bit < 8; bit++) {
      fp = (fp >> 1n) ^ (fp & 1n ? EMPTY : 0n);
    }
    t[i] = fp;
  }
  table = t;
  return t;
}

/** CRC-64-AVRO (Rabin) fingerprint of `bytes`, as the Avro spec defines for schema fingerprints. */
export function rabinFingerprint(bytes: Uint8Array): bigint {
  const t = fingerprintTable();
  let fp = EMPTY;
  for (const byte of bytes) {
    fp = ((fp >> 8n) ^ t[Number((fp ^ BigInt(byte)) & 0xffn)]!) & MASK64;
  }
  return fp;
}

/** The fingerprint of a schema's Parsing Canonical Form, as 8 little-endian bytes. */
export function schemaFingerprint(canonicalSchema: string): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, rabinFingerprint(new TextEncoder().encode(canonicalSchema)), true);
  return out;
}

/** Hex form of a fingerprint, used as a map key. */
export function fingerprintKey(fingerprint: Uint8Array): string {
  return Buffer.from(fingerprint.buffer, fingerprint.byteOffset, fingerprint.byteLength).toString(
    'hex',
  );
}
