import { ErrorCodes, hasErrorCode } from '@rustok/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HeaderValue, MessageHeaders } from '../types';
import { decodeHeaders, encodeHeaders, headerBytesForSend, headersByteLength, sealHeaders } from './codec';

const field = fc.string({ minLength: 1, maxLength: 60 }).filter((s) => {
  const n = Buffer.byteLength(s, 'utf8');
  return n >= 1 && n <= 255;
});

const headerValue: fc.Arbitrary<HeaderValue> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 255 }).map((value) => ({ kind: 'raw' as const, value })),
  field.map((value) => ({ kind: 'string' as const, value })),
  fc.boolean().map((value) => ({ kind: 'bool' as const, value })),
  fc.integer({ min: -128, max: 127 }).map((value) => ({ kind: 'int8' as const, value })),
  fc.integer({ min: -32768, max: 32767 }).map((value) => ({ kind: 'int16' as const, value })),
  fc.integer().map((value) => ({ kind: 'int32' as const, value })),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map((value) => ({ kind: 'int64' as const, value })),
  fc.bigInt({ min: -(1n << 127n), max: (1n << 127n) - 1n }).map((value) => ({ kind: 'int128' as const, value })),
  fc.integer({ min: 0, max: 255 }).map((value) => ({ kind: 'uint8' as const, value })),
  fc.integer({ min: 0, max: 65535 }).map((value) => ({ kind: 'uint16' as const, value })),
  fc.integer({ min: 0, max: 0xffff_ffff }).map((value) => ({ kind: 'uint32' as const, value })),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((value) => ({ kind: 'uint64' as const, value })),
  fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((value) => ({ kind: 'uint128' as const, value })),
  fc.float().map((value) => ({ kind: 'float32' as const, value })),
  fc.double().map((value) => ({ kind: 'float64' as const, value })),
);

const headersArb: fc.Arbitrary<MessageHeaders> = fc
  .uniqueArray(fc.tuple(field, headerValue), { maxLength: 12, selector: ([k]) => k })
  .map((pairs) => {
    const out: MessageHeaders = {};
    for (const [k, v] of pairs) Object.defineProperty(out, k, { value: v, enumerable: true });
    return out;
  });

describe('headers codec', () => {
  it('matches Iggy reference bytes for {foo: Int32 42}', () => {
    const bytes = encodeHeaders({ foo: { kind: 'int32', value: 42 } });
    expect(bytes.toString('hex')).toBe('0203000000666f6f06040000002a000000');
    expect(decodeHeaders(bytes)).toEqual({ foo: { kind: 'int32', value: 42 } });
  });

  it('encodes no headers as zero bytes', () => {
    expect(encodeHeaders({}).length).toBe(0);
    expect(decodeHeaders(new Uint8Array())).toEqual({});
  });

  it('round-trips any valid headers (property)', () => {
    fc.assert(
      fc.property(headersArb, (headers) => {
        const bytes = encodeHeaders(headers);
        expect(bytes.length).toBe(headersByteLength(headers));
        const decoded = decodeHeaders(bytes);
        expect(Object.keys(decoded)).toEqual(Object.keys(headers));
        for (const [key, value] of Object.entries(headers)) {
          const got = decoded[key] as HeaderValue;
          expect(got.kind).toBe(value.kind);
          if (value.kind === 'float32') {
            expect(Object.is(got.value, Math.fround(value.value))).toBe(true);
          } else if (value.kind === 'raw') {
            expect(Buffer.from(got.value as Uint8Array).equals(Buffer.from(value.value))).toBe(true);
          } else {
            expect(Object.is(got.value, value.value) || got.value === value.value).toBe(true);
          }
        }
        // Re-encoding the decoded value is byte-identical.
        expect(encodeHeaders(decoded).equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but DECODE_FAILED on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeHeaders(bytes);
        } catch (error) {
          expect(hasErrorCode(error, ErrorCodes.DECODE_FAILED)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('rejects invalid headers with VALIDATION', () => {
    const cases: MessageHeaders[] = [
      { '': { kind: 'string', value: 'x' } },
      { ['k'.repeat(256)]: { kind: 'string', value: 'x' } },
      { k: { kind: 'string', value: '' } },
      { k: { kind: 'string', value: 'v'.repeat(256) } },
      { k: { kind: 'raw', value: new Uint8Array() } },
      { k: { kind: 'int8', value: 128 } },
      { k: { kind: 'uint8', value: -1 } },
      { k: { kind: 'int32', value: 1.5 } },
      { k: { kind: 'uint64', value: -1n } },
      { k: { kind: 'int128', value: 1n << 127n } },
      { k: { kind: 'bogus', value: 1 } as unknown as HeaderValue },
    ];
    for (const headers of cases) {
      expect(() => encodeHeaders(headers)).toThrow(expect.objectContaining({ code: ErrorCodes.VALIDATION }));
    }
  });

  it('rejects headers larger than 100 000 bytes', () => {
    const headers: MessageHeaders = {};
    // Each pair takes 5 + 6..8 + 5 + 255 bytes, so 370 pairs exceed 100 000 bytes.
    for (let i = 0; i < 370; i++) headers[`key-${i}`] = { kind: 'string', value: 'v'.repeat(255) };
    expect(() => headersByteLength(headers)).toThrow(expect.objectContaining({ code: ErrorCodes.VALIDATION }));
    expect(() => encodeHeaders(headers)).toThrow(expect.objectContaining({ code: ErrorCodes.VALIDATION }));
  });

  it('reports specific garbage as DECODE_FAILED', () => {
    const ok = encodeHeaders({ a: { kind: 'bool', value: true } });
    const badKey = Buffer.from(ok);
    badKey[0] = 1;
    const badBool = Buffer.from(ok);
    badBool[badBool.length - 1] = 7;
    const duplicate = Buffer.concat([ok, ok]);
    const truncated = ok.subarray(0, ok.length - 1);
    const missingValue = ok.subarray(0, 6);
    for (const bytes of [badKey, badBool, duplicate, truncated, missingValue]) {
      expect(() => decodeHeaders(bytes)).toThrow(
        expect.objectContaining({ code: ErrorCodes.DECODE_FAILED }),
      );
    }
  });
  it('matches a straightforward TLV encoder, also on repeated calls (property)', () => {
    const tlv = (kind: number, bytes: Uint8Array): Buffer => {
      const prefix = Buffer.alloc(5);
      prefix[0] = kind;
      prefix.writeUInt32LE(bytes.length, 1);
      return Buffer.concat([prefix, bytes]);
    };
    const strings = fc.dictionary(field, field, { maxKeys: 8 });
    fc.assert(
      fc.property(strings, (pairs) => {
        const headers: MessageHeaders = {};
        const parts: Buffer[] = [];
        for (const [k, v] of Object.entries(pairs)) {
          const value: HeaderValue = { kind: 'string', value: v };
          Object.defineProperty(headers, k, { value, enumerable: true, writable: true, configurable: true });
          parts.push(tlv(2, Buffer.from(k, 'utf8')), tlv(2, Buffer.from(v, 'utf8')));
        }
        const expected = Buffer.concat(parts);
        expect(encodeHeaders(headers)).toEqual(expected);
        expect(encodeHeaders(headers)).toEqual(expected);
        expect(headersByteLength(headers)).toBe(expected.length);
        expect(decodeHeaders(expected)).toEqual(headers);
      }),
      { numRuns: 150 },
    );
  });

  it('decodes many distinct short strings correctly through its cache', () => {
    for (let i = 0; i < 3000; i++) {
      const headers: MessageHeaders = {
        [`k${i}`]: { kind: 'string', value: `v${i % 7}-${i}` },
        [`k${i + 1}`]: { kind: 'string', value: `v${(i + 1) % 7}-${i}` },
      };
      expect(decodeHeaders(encodeHeaders(headers))).toEqual(headers);
    }
  });

  it('hands out frozen header sets, the same one again for the same bytes, never a wrong one', () => {
    const sets = Array.from({ length: 3000 }, (_, i) => ({
      'content-type': { kind: 'string' as const, value: 'application/json' },
      'rustok-tenant-id': { kind: 'string' as const, value: `tenant-${i}` },
      n: { kind: 'uint32' as const, value: i },
    }));
    const encoded = sets.map((h) => encodeHeaders(h));
    for (let round = 0; round < 2; round++) {
      sets.forEach((h, i) => {
        expect(decodeHeaders(encoded[i]!)).toEqual(h);
      });
    }
    const first = decodeHeaders(encoded[7]!);
    expect(decodeHeaders(Buffer.from(encoded[7]!))).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first['rustok-tenant-id'])).toBe(true);
    expect(() => {
      (first as Record<string, HeaderValue>).extra = { kind: 'bool', value: true };
    }).toThrow(TypeError);
    // Large sets are decoded afresh, frozen just the same.
    const big = { k: { kind: 'string' as const, value: 'x'.repeat(255) }, l: { kind: 'string' as const, value: 'y'.repeat(255) } };
    const bigSet = decodeHeaders(encodeHeaders(big));
    expect(bigSet).toEqual(big);
    expect(Object.isFrozen(bigSet)).toBe(true);
  });

  it('still rejects invalid UTF-8 in keys and values after caching ASCII look-alikes', () => {
    const ok = encodeHeaders({ ab: { kind: 'string', value: 'cd' } });
    expect(decodeHeaders(ok)).toEqual({ ab: { kind: 'string', value: 'cd' } });
    for (const at of [5, ok.length - 1]) {
      const bad = Buffer.from(ok);
      bad[at] = 0xff;
      expect(() => decodeHeaders(bad)).toThrow(expect.objectContaining({ code: ErrorCodes.DECODE_FAILED }));
    }
    const utf8 = { 'clé': { kind: 'string', value: 'café ☕' } } as const;
    expect(decodeHeaders(encodeHeaders(utf8))).toEqual(utf8);
  });

  it('keeps a "__proto__" key as an own header', () => {
    const headers: MessageHeaders = {};
    Object.defineProperty(headers, '__proto__', {
      value: { kind: 'string', value: 'x' },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    const decoded = decodeHeaders(encodeHeaders(headers));
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toEqual({ kind: 'string', value: 'x' });
  });

  it('reports an invalid header past the size limit before the size error', () => {
    const headers: MessageHeaders = {};
    for (let i = 0; i < 370; i++) headers[`key-${i}`] = { kind: 'string', value: 'v'.repeat(255) };
    let size = headersByteLength({ last: { kind: 'bool', value: true } });
    for (const [k, v] of Object.entries(headers)) size += headersByteLength({ [k]: v });
    headers.last = { kind: 'int8', value: 999 };
    expect(() => encodeHeaders(headers)).toThrow('header "last" is not a valid int8');
    headers.last = { kind: 'bool', value: true };
    expect(() => encodeHeaders(headers)).toThrow(`headers take ${size} bytes, more than 100000`);
  });

  it('seals headers: a frozen copy whose stored encoding equals a fresh one', () => {
    fc.assert(
      fc.property(headersArb, (headers) => {
        const sealed = sealHeaders(headers);
        expect(Object.isFrozen(sealed)).toBe(true);
        for (const value of Object.values(sealed)) expect(Object.isFrozen(value)).toBe(true);
        expect(sealed).not.toBe(headers);
        expect(headerBytesForSend(sealed)).toEqual(encodeHeaders(headers));
        expect(headersByteLength(sealed)).toBe(encodeHeaders(headers).length);
        expect(decodeHeaders(headerBytesForSend(sealed))).toEqual(decodeHeaders(encodeHeaders(headers)));
      }),
    );
  });

  it('a sealed copy does not follow later changes to the original', () => {
    const raw = new Uint8Array([1, 2, 3]);
    const original: MessageHeaders = { a: { kind: 'string', value: 'x' }, r: { kind: 'raw', value: raw } };
    const sealed = sealHeaders(original);
    const before = Buffer.from(headerBytesForSend(sealed));
    original.a = { kind: 'string', value: 'changed' };
    raw[0] = 9;
    expect(headerBytesForSend(sealed)).toEqual(before);
    expect(() => {
      (sealed as MessageHeaders).b = { kind: 'bool', value: true };
    }).toThrow(TypeError);
  });

  it('rejects invalid headers when sealing, and encodes unsealed headers afresh', () => {
    expect(() => sealHeaders({ bad: { kind: 'int8', value: 999 } })).toThrow(
      expect.objectContaining({ code: ErrorCodes.VALIDATION }),
    );
    const plain: MessageHeaders = { a: { kind: 'string', value: 'x' } };
    const first = headerBytesForSend(plain);
    plain.a = { kind: 'string', value: 'y' };
    expect(decodeHeaders(headerBytesForSend(plain))).toEqual(plain);
    expect(decodeHeaders(first)).toEqual({ a: { kind: 'string', value: 'x' } });
  });
});
