import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '@rustok/testkit';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/embedded/clock';
import { nodeFileLayer } from '../../src/embedded/fs/node-file-layer';
import { openPartitionLog } from '../../src/embedded/log/partition-log';
import type { FsyncPolicy, StoredRecord } from '../../src/embedded/log/types';
import { type Child, spawnTs } from './child-process';

const writer = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const rounds = Number(process.env.RUSTOK_CRASH_ROUNDS ?? '20');
const policies: FsyncPolicy[] = ['never', 'interval', 'always'];

/** Same digest as the child's, computed from what was read back. */
function digestOf(records: readonly StoredRecord[]): string {
  const hash = createHash('sha256');
  for (const r of records) {
    hash.update(`${r.id}:${r.originTimestamp}:${r.headers.length}:${r.payload.length}:`);
    hash.update(r.headers);
    hash.update(r.payload);
  }
  return hash.digest('hex').slice(0, 24);
}

describe('crash safety (SIGKILL)', () => {
  it(`keeps every acknowledged append across ${rounds} kills`, { timeout: 60_000 + rounds * 5_000 }, async () => {
    await using tmp = await makeTempDir();
    const dir = join(tmp.path, 'partition');
    /** Acknowledged batches: base offset → [count, digest]. */
    const acked = new Map<number, [number, string]>();
    let totalAcked = 0;
    const spawnRound = (round: number) =>
      spawnTs(writer, [dir, policies[round % policies.length] as FsyncPolicy, String(round + 1)]);
    // Writers are spawned two rounds ahead: they load while earlier rounds run and are checked.
    const ahead: Child[] = [spawnRound(0), spawnRound(1)];
    try {
      for (let round = 0; round < rounds; round++) {
        const child = ahead.shift() as Child;
        try {
          await child.waitForLine((l) => l === 'loaded', 30_000);
          child.send('go');
          await child.waitForLine((l) => l.startsWith('ready'), 30_000);
          await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 200));
        } finally {
          await child.kill();
        }
        if (round + 2 < rounds) ahead.push(spawnRound(round + 2));
        const t0 = Date.now();
        await verify(child.lines);
        if (process.env.RUSTOK_CRASH_DEBUG) console.log(`round ${round}: verify ${Date.now() - t0} ms, ${child.lines.length} lines`);
      }
    } finally {
      await Promise.all(ahead.map((c) => c.kill()));
    }
    expect(totalAcked).toBeGreaterThan(0);

    async function verify(lines: readonly string[]): Promise<void> {
      for (const line of lines) {
        const [kind, base, count, digest] = line.split(' ');
        if (kind !== 'ack') continue;
        // An offset acknowledged twice would mean an acknowledged record was lost and reused.
        expect(acked.has(Number(base))).toBe(false);
        acked.set(Number(base), [Number(count), digest as string]);
      }

      const log = await openPartitionLog(dir, {
        fsync: 'never',
        fsyncIntervalMs: 1000,
        segmentBytes: 256 * 1024,
        segmentMaxAgeMs: 3_600_000,
        indexIntervalBytes: 1024,
        clock: systemClock,
        fs: nodeFileLayer,
      });
      try {
        expect(log.problems()).toEqual([]);
        // Read everything: offsets contiguous from 0, no duplicate or gap.
        const all: StoredRecord[] = [];
        for (let from = 0n; ; ) {
          const got = await log.read(from, 2000);
          if (got.length === 0) break;
          all.push(...got);
          from = (got[got.length - 1] as StoredRecord).offset + 1n;
        }
        expect(all.length).toBe(Number(log.nextOffset));
        all.forEach((r, i) => {
          if (r.offset !== BigInt(i)) expect(r.offset).toBe(BigInt(i));
        });
        // Every acknowledged batch is there byte for byte at its offsets.
        totalAcked = 0;
        for (const [base, [count, digest]] of acked) {
          expect(base + count).toBeLessThanOrEqual(all.length);
          expect(digestOf(all.slice(base, base + count))).toBe(digest);
          totalAcked += count;
        }
      } finally {
        await log.close();
      }
    }
  });
});
