import { describe, expect, it } from 'vitest';
import { globalOptions, intOption, parseCommandLine, parsePosition } from './args';
import { isUsageError } from './errors';

const usage = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (isUsageError(error)) return error.message;
    throw error;
  }
  throw new Error('expected a usage error');
};

describe('parsePosition', () => {
  const all = ['earliest', 'latest', 'offset', 'time'] as const;
  it('reads earliest, latest, offset:N and time:ISO (µs)', () => {
    expect(parsePosition('earliest', 'from', 'x', all)).toEqual({ kind: 'earliest' });
    expect(parsePosition('offset:18446744073709551615', 'from', 'x', all)).toEqual({
      kind: 'offset',
      offset: 18446744073709551615n,
    });
    expect(parsePosition('time:2024-01-01T00:00:00.001Z', 'from', 'x', all)).toEqual({
      kind: 'time',
      micros: 1_704_067_200_001_000n,
    });
  });

  it('rejects malformed or disallowed positions as usage errors', () => {
    expect(usage(() => parsePosition('offset:-1', 'from', 'x', all))).toContain('--from must be');
    expect(usage(() => parsePosition('time:soon', 'from', 'x', all))).toContain('--from must be');
    expect(usage(() => parsePosition('latest', 'to', 'x', ['offset', 'time']))).toBe(
      '--to must be offset:N|time:ISO, got "latest"',
    );
  });
});

describe('parseCommandLine', () => {
  it('merges global and command options and repeats', () => {
    const parsed = parseCommandLine('replay', ['--type', 'a', '--type', 'b,c', '--json'], { type: { type: 'string', multiple: true } }, false);
    expect(parsed.values.type).toEqual(['a', 'b,c']);
    expect(globalOptions(parsed.values, 'replay')).toMatchObject({ json: true, stream: 'rustok', dataDir: undefined });
    expect(intOption({ limit: '12' }, 'limit', 'replay', { min: 1 })).toBe(12);
  });

  it('turns unknown flags, credentials flags and stray words into usage errors', () => {
    expect(usage(() => parseCommandLine('topics', ['--nope'], {}, false))).toBe('unknown option --nope');
    expect(usage(() => parseCommandLine('topics', ['--token', 't'], {}, false))).toContain('IGGY_TOKEN');
    expect(usage(() => parseCommandLine('topics', ['what'], {}, false))).toBe('unexpected argument "what"');
  });
});
