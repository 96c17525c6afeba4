import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '/work/main/packages/iggy-connector/src/embedded/clock';
import { nodeFileLayer } from '/work/main/packages/iggy-connector/src/embedded/fs/node-file-layer';
import { openPartitionLog } from '/work/main/packages/iggy-connector/src/embedded/log/partition-log';
const dir = await mkdtemp(join(tmpdir(), 'prof-'));
const log = await openPartitionLog(dir, { fsync: 'never', fsyncIntervalMs: 1000, segmentBytes: 64*1024*1024, segmentMaxAgeMs: 3600000, clock: systemClock, fs: nodeFileLayer });
const headers = Buffer.alloc(0);
const records = Array.from({ length: 1000 }, (_, i) => ({ id: BigInt(`0x${randomBytes(16).toString('hex')}`), originTimestamp: 1_700_000_000_000_000n + BigInt(i), payload: randomBytes(256), headers }));
for (let rep = 0; rep < 3; rep++) {
  const t = performance.now();
  for (let i = 0; i < 250; i++) await log.append(records);
  const ms = performance.now() - t;
  console.log('append msgs/s', Math.round(250000 / ms * 1000));
}
const t = performance.now(); let n = 0;
for (let from = 0n; ; ) { const got = await log.read(from, 1000); if (!got.length) break; n += got.length; from = got[got.length-1]!.offset + 1n; }
console.log('read msgs/s', Math.round(n / (performance.now() - t) * 1000));
await log.close(); await rm(dir, { recursive: true });
