import { describe, expect, it } from 'vitest';
import { fingerprintKey, rabinFingerprint, schemaFingerprint } from './fingerprint';
import { frameSingleObject, parseSingleObject } from './single-object';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('CRC-64-AVRO fingerprint', () => {
  it('matches the Avro reference values', () => {
    expect(rabinFingerprint(utf8('"int"'))).toBe(0x7275d51a3f395c8fn);
    expect(rabinFingerprint(utf8('"string"'))).toBe(0x8f014872634503c7n);
  });

  it('writes the fingerprint little-endian in the single-object header', () => {
    const framed = frameSingleObject(schemaFingerprint('"int"'), new Uint8Array([0x02]));
    expect([...framed]).toEqual([0xc3, 0x01, 0x8f, 0x5c, 0x39, 0x3f, 0x1a, 0xd5, 0x75, 0x72, 0x02]);
    const parsed = parseSingleObject(framed);
    expect(fingerprintKey(parsed.fingerprint)).toBe('8f5c393f1ad57572');
    expect([...parsed.body]).toEqual([0x02]);
  });

  it('rejects data without the marker', () => {
    expect(() => parseSingleObject(new Uint8Array([0x7b, 0x7d]))).toThrow(/marker/);
  });
});
