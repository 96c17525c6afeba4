// A/B: base (HEAD copy in /tmp/h9/base) vs working tree, alternating in one process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEnvelope } from '@rustok/core';
import * as NEW from '../src/index';
import { benchRegistry, makeEnvelopes } from './support/workload';

type T = typeof NEW.IggyTransport;
const BASE = (await import('/tmp/h9/base/packages/iggy/src/index.ts' as string)) as typeof NEW;
const impls: [string, T][] = [
  ['base', BASE.IggyTransport],
  ['new', NEW.IggyTransport],
];
const codec = (process.argv[2] ?? 'json') as 'json' | 'avro';
const size = Number(process.argv[3] ?? 256);
const rounds = Number(process.argv[4] ?? 4);
const what = (process.argv[5] ?? 'batch,single,consume').split(',');
const typed = process.env.PLAIN === undefined;
const N = 20_000;
const envs = makeEnvelopes(N, size);

async function open(Impl: T, dir: string) {
  return Impl.create({ connector: { embedded: { dataDir: dir, fsync: { policy: 'interval', intervalMs: 1000 } } }, ...(typed ? { registry: benchRegistry() } : {}), codec });
}
async function batch(t: NEW.IggyTransport, e: readonly EventEnvelope[]) {
  const s = performance.now();
  for (let i = 0; i < e.length; i += 1000) await t.publishBatch(e.slice(i, i + 1000));
  return performance.now() - s;
}
function single(t: NEW.IggyTransport, e: readonly EventEnvelope[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = performance.now();
    let next = 0, done = 0;
    const launch = () => { t.publish(e[next++]!).then(() => { if (++done === e.length) resolve(performance.now() - s); else if (next < e.length) launch(); }, reject); };
    for (let i = 0; i < 1000; i++) launch();
  });
}
async function consume(t: NEW.IggyTransport, n: number) {
  let got = 0; let end = 0; let fin!: () => void;
  const p = new Promise<void>((r) => (fin = r));
  const s = performance.now();
  const sub = await t.subscribe('ab', { topics: ['domain'], handler: () => { if (++got === n) { end = performance.now(); fin(); } } });
  await p; await sub.close();
  return end - s;
}
const best = new Map<string, number>();
const note = (k: string, ms: number) => best.set(k, Math.min(best.get(k) ?? Infinity, ms));
for (let r = 0; r < rounds; r++) {
  for (const [name, Impl] of r % 2 === 0 ? impls : [...impls].reverse()) {
    const dir = await mkdtemp(join(tmpdir(), 'h9ab-'));
    const t = await open(Impl, dir);
    if (what.includes('batch') || what.includes('consume')) note(`${name} batch`, await batch(t, envs));
    if (what.includes('consume')) note(`${name} consume`, await consume(t, N));
    await t.close();
    await rm(dir, { recursive: true, force: true });
    if (what.includes('single')) {
      const dir2 = await mkdtemp(join(tmpdir(), 'h9ab-'));
      const t2 = await open(Impl, dir2);
      note(`${name} single`, await single(t2, envs));
      await t2.close();
      await rm(dir2, { recursive: true, force: true });
    }
  }
}
for (const w of ['batch', 'single', 'consume']) {
  const b = best.get(`base ${w}`), n = best.get(`new ${w}`);
  if (b === undefined || n === undefined) continue;
  console.log(`${codec}${typed ? ' typed' : ''} ${size} ${w.padEnd(8)} base ${Math.round(N / b * 1000).toString().padStart(7)} msgs/s  new ${Math.round(N / n * 1000).toString().padStart(7)} msgs/s  x${(b / n).toFixed(2)}`);
}
