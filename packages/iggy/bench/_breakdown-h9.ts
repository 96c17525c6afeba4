import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEnvelope } from '@rustok/core';
import { encodeHeaders } from '@rustok/iggy-connector';
import { MessageCodec } from '../src/codec/message-codec';
import { floorAppend } from './support/floor';
import { openRawConnector, rawPollAll, rawSendAll, rawSends } from './support/raw-connector';
import { openTransport, publishBatches, consumeAll } from './support/transport-runs';
import { benchRegistry, makeEnvelopes } from './support/workload';

const size = Number(process.argv[2] ?? 256);
const N = 20000;
const envs = makeEnvelopes(N, size);
const registry = benchRegistry();
const codec = new MessageCodec({ codec: 'json', validate: (v) => validateEnvelope(v, { registry }) });
const valid = envs.map((e) => validateEnvelope(e, { registry }));
const best = new Map<string, number>();
async function cpu(name: string, fn: () => unknown | Promise<unknown>) {
  const c = process.cpuUsage();
  const t = performance.now();
  await fn();
  const u = process.cpuUsage(c);
  const wall = performance.now() - t;
  const us = (u.user + u.system) / N;
  const cur = best.get(name);
  if (cur === undefined || us < cur) best.set(name, us);
  best.set(`${name} wall`, Math.min(best.get(`${name} wall`) ?? Infinity, (wall * 1000) / N));
}
const root = await mkdtemp(join(tmpdir(), 'h9bd-'));
let k = 0;
for (let r = 0; r < 5; r++) {
  await cpu('floor (stringify+frame+write)', async () => { const d = join(root, `f${k++}`); await import('node:fs/promises').then((f) => f.mkdir(d)); await floorAppend(d, envs, 1000, 1000); });
  await cpu('JSON.stringify only', () => { for (const e of envs) JSON.stringify(e); });
  await cpu('validate (registry)', () => { for (const e of envs) validateEnvelope(e, { registry }); });
  await cpu('validate (no registry)', () => { for (const e of envs) validateEnvelope(e); });
  await cpu('codec.encode (stringify, id, headers)', () => { for (const e of valid) codec.encode(e); });
  const sends = rawSends(envs, 'json', 1000);
  await cpu('connector encodeHeaders only', () => { for (const s of sends) for (const m of s.messages) encodeHeaders(m.headers!); });
  const d = join(root, `r${k++}`);
  const c = await openRawConnector(d, 1000);
  await cpu('raw connector send', () => rawSendAll(c, sends, 1000));
  await cpu('raw connector poll(100)', () => rawPollAll(c, 100));
  await c.close();
  const d2 = join(root, `t${k++}`);
  const t = await openTransport(d2, 'json', 1000);
  await cpu('transport publishBatch(1000)', () => publishBatches(t, envs, 1000));
  await cpu('transport consume', () => consumeAll(t, `g${r}`, N));
  await t.close();
}
await rm(root, { recursive: true, force: true });
for (const [k2, v] of best) if (!k2.endsWith('wall')) console.log(`${k2.padEnd(40)} cpu ${v.toFixed(2)} µs/msg   wall ${best.get(`${k2} wall`)!.toFixed(2)} µs/msg`);
