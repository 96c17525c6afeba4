import { EventRegistry, isValidationError } from '@rustok/core';
import { describe, expect, it } from 'vitest';
import { OrderCreated, orderEvent } from '../../test/helpers/events';
import { prepareEvents, sameContent } from './prepare';

describe('prepareEvents', () => {
  it('validates, serialises and keeps order', () => {
    const a = orderEvent('t1', 1);
    const b = orderEvent('t2', 2);
    const out = prepareEvents([a, b], undefined, 'reject');
    expect(out.map((e) => e.id)).toEqual([a.id, b.id]);
    expect(JSON.parse(out[0]!.json)).toEqual(a);
    expect(out[1]).toMatchObject({ tenantId: 't2', type: 'order.created', schemaVersion: 1 });
  });

  it('throws the validation error of an invalid envelope, also when others are valid', () => {
    const bad = { ...orderEvent('t1', 1), id: 'not-a-uuid' };
    expect(() => prepareEvents([orderEvent('t1', 0), bad], undefined, 'reject')).toThrowError(
      expect.objectContaining({ code: 'ENVELOPE_ID' }),
    );
  });

  it('checks payloads against a registry when one is given', () => {
    const registry = new EventRegistry().register(OrderCreated);
    const wrong = { ...orderEvent('t1', 1), payload: { n: 'one' } };
    let caught: unknown;
    try {
      prepareEvents(wrong, registry, 'reject');
    } catch (err) {
      caught = err;
    }
    expect(isValidationError(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 'ENVELOPE_PAYLOAD' });
  });

  it('rejects an id repeated in one batch, or keeps one copy in write-once mode', () => {
    const e = orderEvent('t1', 1);
    expect(() => prepareEvents([e, e], undefined, 'reject')).toThrowError(
      expect.objectContaining({ code: 'ALREADY_EXISTS' }),
    );
    expect(prepareEvents([e, { ...e }], undefined, 'once')).toHaveLength(1);
    expect(() => prepareEvents([e, { ...e, payload: { n: 2 } }], undefined, 'once')).toThrowError(
      expect.objectContaining({ code: 'CONFLICT' }),
    );
  });

  it('reports a payload that JSON cannot hold as SERIALIZATION', () => {
    const e = { ...orderEvent('t1', 1), payload: { n: 1, big: 10n } };
    expect(() => prepareEvents(e, undefined, 'reject')).toThrowError(
      expect.objectContaining({ code: 'SERIALIZATION' }),
    );
  });

  it('sameContent ignores key order', () => {
    expect(sameContent({ a: 1, b: { c: [1, { d: 2, e: 3 }] } }, { b: { c: [1, { e: 3, d: 2 }] }, a: 1 })).toBe(true);
    expect(sameContent({ a: 1 }, { a: 2 })).toBe(false);
  });
});
