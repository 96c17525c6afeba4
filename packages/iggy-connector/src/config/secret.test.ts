import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isSecret, Secret } from './secret';

describe('Secret', () => {
  it('reveals the value only through reveal()', () => {
    const s = new Secret('hunter2');
    expect(s.reveal()).toBe('hunter2');
    expect(String(s)).toBe('***');
    expect(`${s}`).toBe('***');
    expect(JSON.stringify({ s })).toBe('{"s":"***"}');
    expect(inspect(s)).toBe('***');
    expect(inspect({ nested: { s } }, { depth: 5 })).not.toContain('hunter2');
    expect(Object.keys(s)).toEqual([]);
  });

  it('is recognised by isSecret', () => {
    expect(isSecret(new Secret('x'))).toBe(true);
    expect(isSecret('x')).toBe(false);
    expect(isSecret({ reveal: () => 'x' })).toBe(false);
  });
});
