import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadAvsc } from './load-avsc';
import { plainConverter, toPlain } from './plain';

const { Type } = loadAvsc();

const SCHEMA = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'n', type: 'long' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'attrs', type: { type: 'map', values: { type: 'record', name: 'Attr', fields: [{ name: 'v', type: 'int' }] } } },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'lines', type: { type: 'array', items: { type: 'record', name: 'Line', fields: [{ name: 'sku', type: 'string' }] } } },
    { name: 'next', type: ['null', 'Order'], default: null },
  ],
};

const line = fc.record({ sku: fc.string() });
const order = fc.letrec((tie) => ({
  order: fc.record({
    id: fc.string(),
    n: fc.integer(),
    tags: fc.array(fc.string(), { maxLength: 3 }),
    attrs: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.record({ v: fc.integer({ min: -1000, max: 1000 }) }), { maxKeys: 3 }),
    note: fc.option(fc.string(), { nil: null }),
    lines: fc.array(line, { maxLength: 3 }),
    next: fc.option(tie('order'), { nil: null, depthSize: 'small' }),
  }),
})).order;

function allPlain(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(allPlain);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return true;
  return Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(allPlain);
}

describe('plainConverter', () => {
  it('gives the same plain data as toPlain, for recursive schemas too', () => {
    const type = Type.forSchema(SCHEMA as never);
    const convert = plainConverter(type);
    fc.assert(
      fc.property(order, (value) => {
        const decoded: unknown = type.fromBuffer(type.toBuffer(value));
        const plain = convert(decoded);
        expect(plain).toEqual(toPlain(decoded));
        expect(plain).toEqual(value);
        expect(allPlain(plain)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
