import fc from 'fast-check';
import { parse } from 'uuid';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newEventId } from './id';
import { isUuidV7 } from './predicates';

function bytes(id: string): Buffer {
  return Buffer.from(parse(id));
}

function expectStrictlyIncreasing(ids: readonly string[]): void {
  for (let i = 1; i < ids.length; i++) {
    const [prev, next] = [ids[i - 1]!, ids[i]!];
    if (!(prev < next) || Buffer.compare(bytes(prev), bytes(next)) >= 0) {
      throw new Error(`ids not increasing at ${i}: ${prev} then ${next}`);
    }
  }
}

function timestampOf(id: string): number {
  return Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}

describe('newEventId', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('makes lowercase UUIDv7 strings', () => {
    const id = newEventId();
    expect(isUuidV7(id)).toBe(true);
    expect(id).toBe(id.toLowerCase());
    expect(Math.abs(timestampOf(id) - Date.now())).toBeLessThan(5_000);
  });

  it('ids made one after another increase strictly, as strings and as 16 bytes (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 2_000 }), (n) => {
        expectStrictlyIncreasing(Array.from({ length: n }, newEventId));
      }),
      { numRuns: 50 },
    );
  });

  it('stays monotonic for many ids within one millisecond', () => {
    vi.spyOn(Date, 'now').mockReturnValue(Date.UTC(2030, 0, 1));
    const ids = Array.from({ length: 20_000 }, newEventId);
    expectStrictlyIncreasing(ids);
    expect(new Set(ids.map(timestampOf)).size).toBe(1);
  });

  it('stays monotonic when the wall clock steps back', () => {
    const now = vi.spyOn(Date, 'now');
    const ids: string[] = [];
    for (const t of [Date.UTC(2031, 0, 1, 0, 0, 2), Date.UTC(2031, 0, 1, 0, 0, 1), Date.UTC(2031, 0, 1)]) {
      now.mockReturnValue(t);
      for (let i = 0; i < 100; i++) ids.push(newEventId());
    }
    expectStrictlyIncreasing(ids);
  });
});
