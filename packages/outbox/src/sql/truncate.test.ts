import { describe, expect, it } from 'vitest';
import { LAST_ERROR_MAX_BYTES, truncateUtf8 } from './truncate';

describe('truncateUtf8', () => {
  it('keeps text that fits', () => {
    expect(truncateUtf8('boom')).toBe('boom');
    const exact = 'x'.repeat(LAST_ERROR_MAX_BYTES);
    expect(truncateUtf8(exact)).toBe(exact);
  });

  it('cuts long text to the byte limit with a marker', () => {
    const out = truncateUtf8('y'.repeat(10_000));
    expect(Buffer.byteLength(out, 'utf8')).toBeLessThanOrEqual(LAST_ERROR_MAX_BYTES);
    expect(out.endsWith('…[truncated]')).toBe(true);
    expect(out.startsWith('yyyy')).toBe(true);
  });

  it('never splits a multi-byte character', () => {
    for (const ch of ['é', '€', '𝄞']) {
      const out = truncateUtf8(ch.repeat(3000), 100);
      expect(Buffer.byteLength(out, 'utf8')).toBeLessThanOrEqual(100);
      expect(out).not.toContain('\uFFFD');
      expect(out.replace('…[truncated]', '').split('').every((c) => ch.includes(c))).toBe(true);
    }
  });
});
