import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeType,
  isDottedName,
  isIsoUtcTimestamp,
  isPlainObject,
  isUuidV7,
  utf8Bytes,
} from './predicates';

describe('envelope predicates', () => {
  it('measures UTF-8 bytes, not UTF-16 units', () => {
    expect(utf8Bytes('abc')).toBe(3);
    expect(utf8Bytes('é')).toBe(2);
    expect(utf8Bytes('€')).toBe(3);
    expect(utf8Bytes('😀')).toBe(4);
  });

  it('recognises dotted names', () => {
    for (const ok of ['order.created', 'billing.invoice-paid.v2', 'a.b', 'index.node_1']) {
      expect(isDottedName(ok)).toBe(true);
    }
    for (const bad of ['order', '.order', 'order.', 'order..created', '1order.x', 'order created.x']) {
      expect(isDottedName(bad)).toBe(false);
    }
  });

  it('accepts only real UTC instants', () => {
    expect(isIsoUtcTimestamp('2025-01-31T12:00:00Z')).toBe(true);
    expect(isIsoUtcTimestamp('2025-01-31T12:00:00.123456789Z')).toBe(true);
    expect(isIsoUtcTimestamp('2000-02-29T00:00:00.000Z')).toBe(true);
    expect(isIsoUtcTimestamp('0000-02-29T00:00:00.000Z')).toBe(true);
    expect(isIsoUtcTimestamp('1900-02-29T00:00:00.000Z')).toBe(false);
    expect(isIsoUtcTimestamp('2025-04-31T00:00:00Z')).toBe(false);
    expect(isIsoUtcTimestamp('2025-01-31T12:00:60Z')).toBe(false);
    expect(isIsoUtcTimestamp('2025-01-31t12:00:00z')).toBe(false);
    expect(isIsoUtcTimestamp('+012025-01-31T12:00:00Z')).toBe(false);
  });

  it('agrees with a regex and Date.UTC oracle on near-valid timestamps (property)', () => {
    // Oracle: the documented pattern, then a calendar check through Date's own arithmetic.
    const pattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;
    const oracle = (value: string): boolean => {
      const m = pattern.exec(value);
      if (m === null) return false;
      const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
      const date = new Date(0);
      date.setUTCFullYear(y, mo - 1, d);
      date.setUTCHours(h, mi, s, 0);
      return (
        date.getUTCFullYear() === y &&
        date.getUTCMonth() === mo - 1 &&
        date.getUTCDate() === d &&
        date.getUTCHours() === h &&
        date.getUTCMinutes() === mi &&
        date.getUTCSeconds() === s
      );
    };
    const dates = fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
    const base = fc.tuple(dates, fc.stringMatching(/^(?:\.\d{0,10})?$/)).map(([d, fraction]) => `${d.toISOString().slice(0, 19)}${fraction}Z`);
    const chars = fc.constantFrom(...'0123456789-:.TZtz +\u0663\u00001'.split(''));
    const edit = fc.tuple(fc.nat(), chars, fc.constantFrom('replace', 'insert', 'delete', 'none'));
    const mutated = fc.tuple(base, fc.array(edit, { maxLength: 3 })).map(([text, edits]) => {
      let out = text;
      for (const [at, ch, op] of edits) {
        const i = at % (out.length + 1);
        if (op === 'replace') out = out.slice(0, i) + ch + out.slice(i + 1);
        else if (op === 'insert') out = out.slice(0, i) + ch + out.slice(i);
        else if (op === 'delete') out = out.slice(0, i) + out.slice(i + 1);
      }
      return out;
    });
    fc.assert(
      fc.property(mutated, (value) => {
        expect(isIsoUtcTimestamp(value)).toBe(oracle(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('checks the UUID version and variant', () => {
    expect(isUuidV7('01890a5d-ac96-774b-bcce-b302099a8057')).toBe(true);
    expect(isUuidV7('01890A5D-AC96-774B-BCCE-B302099A8057')).toBe(true);
    expect(isUuidV7('01890a5d-ac96-474b-bcce-b302099a8057')).toBe(false);
    expect(isUuidV7('01890a5d-ac96-774b-7cce-b302099a8057')).toBe(false);
  });

  it('tells plain objects from other values', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(new Map())).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    expect(describeType([])).toBe('array');
    expect(describeType(null)).toBe('null');
    expect(describeType(Number.NaN)).toBe('NaN');
  });
});
