import { describe, expect, it } from 'vitest';
import { formatBytes, formatPeriod, toJson, toJsonData, truncate } from './format';

describe('toJsonData', () => {
  it('writes bigints as strings, dates as ISO text and bytes as base64, dropping undefined', () => {
    const value = {
      offset: 2n ** 64n - 1n,
      at: new Date('2024-01-02T03:04:05.006Z'),
      payload: Buffer.from('hi'),
      nested: [{ n: 1n, gone: undefined }],
    };
    expect(toJsonData(value)).toEqual({
      offset: '18446744073709551615',
      at: '2024-01-02T03:04:05.006Z',
      payload: 'aGk=',
      nested: [{ n: '1' }],
    });
    expect(JSON.parse(toJson(value, true)).offset).toBe('18446744073709551615');
  });
});

describe('formatting', () => {
  it('formats sizes, periods and truncation', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(10n * 1024n ** 3n)).toBe('10.0 GiB');
    expect(formatPeriod(30 * 86_400_000)).toBe('30d');
    expect(formatPeriod(90_000)).toBe('90s');
    expect(formatPeriod(null)).toBe('never');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});
