import { describe, expect, it } from 'vitest';
import { assertIdentifier, quoteIdent } from './identifier';

describe('assertIdentifier', () => {
  it('accepts plain identifiers', () => {
    expect(assertIdentifier('rustok_outbox', 'table')).toBe('rustok_outbox');
    expect(assertIdentifier('_T1', 'table')).toBe('_T1');
    expect(quoteIdent('Outbox')).toBe('"Outbox"');
  });

  it.each(['', '1abc', 'a-b', 'a b', 'x"; DROP TABLE y; --', 'a.b', 'é', 'a'.repeat(49), 42, null])(
    'rejects %j with VALIDATION naming the field',
    (bad) => {
      expect(() => assertIdentifier(bad, 'table')).toThrowError(
        expect.objectContaining({ code: 'VALIDATION', details: { field: 'table' } }),
      );
    },
  );
});
