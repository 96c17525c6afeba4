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
