import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTransport, publishBatches } from './support/transport-runs';
import { makeEnvelopes } from './support/workload';
const envs = makeEnvelopes(40000, 256);
const variants: [string, Record<string, number>][] = [
  ['default', {}],
  ['inflight200', { maxInFlightPerPartition: 200 }],
  ['poll500', { pollBatchSize: 500 }],
  ['poll1000', { pollBatchSize: 1000 }],
  ['conc64', { concurrency: 64 }],
];
const best = new Map<string, number>();
const dir = await mkdtemp(join(tmpdir(), 'h9exp-'));
const t = await openTransport(dir, 'json', 1000);
await publishBatches(t, envs, 1000);
for (let r = 0; r < 4; r++) {
  for (const [name, opts] of variants) {
    let got = 0; let end = 0; let fin!: () => void;
    const p = new Promise<void>((res) => (fin = res));
    const s = performance.now();
    const sub = await t.subscribe(`g-${name}-${r}`, { topics: ['domain'], ...opts, handler: () => { if (++got === envs.length) { end = performance.now(); fin(); } } });
    await p; await sub.close();
    best.set(name, Math.min(best.get(name) ?? Infinity, end - s));
  }
}
for (const [name] of variants) console.log(name.padEnd(12), Math.round(envs.length / best.get(name)! * 1000));
await t.close();
await rm(dir, { recursive: true, force: true });
