/**
 * Computes a balanced, sticky assignment of `partitionCount` partitions (0-based) to `members`
 * (in join order): every member gets ⌊P/M⌋ or ⌈P/M⌉ partitions; a member keeps as many of its
 * current partitions as its share allows; the members that currently own the most get the larger
 * shares, so as few partitions as possible move. Pure and deterministic.
 */
export function computeAssignment(
  partitionCount: number,
  members: readonly string[],
  current: ReadonlyMap<number, string>,
): Map<number, string> {
  const result = new Map<number, string>();
  if (members.length === 0 || partitionCount <= 0) return result;

  const owned = new Map<string, number[]>(members.map((m) => [m, []]));
  for (let p = 0; p < partitionCount; p++) {
    const owner = current.get(p);
    if (owner !== undefined) owned.get(owner)?.push(p);
  }

  const base = Math.floor(partitionCount / members.length);
  const larger = partitionCount % members.length;
  // Stable sort: most-owning first, join order breaks ties.
  const byOwned = members
    .map((id, order) => ({ id, order, count: owned.get(id)!.length }))
    .sort((a, b) => b.count - a.count || a.order - b.order);
  const quota = new Map<string, number>();
  byOwned.forEach((m, i) => {
    quota.set(m.id, base + (i < larger ? 1 : 0));
  });

  const load = new Map<string, number>(members.map((m) => [m, 0]));
  for (const id of members) {
    const keep = owned.get(id)!.slice(0, quota.get(id)!);
    for (const p of keep) result.set(p, id);
    load.set(id, keep.length);
  }

  let cursor = 0;
  for (let p = 0; p < partitionCount; p++) {
    if (result.has(p)) continue;
    while (load.get(members[cursor]!)! >= quota.get(members[cursor]!)!) cursor++;
    const id = members[cursor]!;
    result.set(p, id);
    load.set(id, load.get(id)! + 1);
  }
  return result;
}
