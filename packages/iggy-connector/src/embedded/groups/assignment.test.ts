import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeAssignment } from './assignment';

function counts(assignment: Map<number, string>, members: readonly string[]): number[] {
  return members.map((m) => [...assignment.values()].filter((v) => v === m).length);
}

describe('computeAssignment', () => {
  it('spreads partitions evenly in join order', () => {
    const a = computeAssignment(8, ['a', 'b', 'c'], new Map());
    expect(counts(a, ['a', 'b', 'c'])).toEqual([3, 3, 2]);
    expect([...a.keys()].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('keeps current owners where the share allows (sticky)', () => {
    const first = computeAssignment(6, ['a'], new Map());
    const second = computeAssignment(6, ['a', 'b'], first);
    expect(counts(second, ['a', 'b'])).toEqual([3, 3]);
    const moved = [...second].filter(([p, m]) => first.get(p) !== m);
    expect(moved).toHaveLength(3);
  });

  it('gives nothing to extra members when there are more members than partitions', () => {
    const a = computeAssignment(2, ['a', 'b', 'c'], new Map());
    expect(counts(a, ['a', 'b', 'c'])).toEqual([1, 1, 0]);
  });

  it('is balanced, complete and minimal-moving for any input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), { minLength: 1 }),
        fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'gone'), { maxLength: 40 }),
        (partitions, members, owners) => {
          const current = new Map<number, string>();
          owners.slice(0, partitions).forEach((m, p) => {
            current.set(p, m);
          });
          const result = computeAssignment(partitions, members, current);
          expect(result.size).toBe(partitions);
          const c = counts(result, members);
          expect(Math.max(...c) - Math.min(...c)).toBeLessThanOrEqual(1);
          for (const m of result.values()) expect(members).toContain(m);
          // Sticky: a member owning no more than the smaller share keeps everything it had.
          const base = Math.floor(partitions / members.length);
          for (const m of members) {
            const had = [...current].filter(([, o]) => o === m).map(([p]) => p);
            if (had.length <= base) for (const p of had) expect(result.get(p)).toBe(m);
          }
        },
      ),
    );
  });
});
