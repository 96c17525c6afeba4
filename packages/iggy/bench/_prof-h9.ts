import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodecName } from '../src/codec/types';
import { consumeAll, openTransport, publishBatches, publishInFlight } from './support/transport-runs';
import { makeEnvelopes } from './support/workload';

const mode = process.argv[2] ?? 'batch';
const codec = (process.argv[3] ?? 'json') as CodecName;
const size = Number(process.argv[4] ?? 256);
const out = process.argv[5];
const envs = makeEnvelopes(60000, size);
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
for (let r = 0; r < 3; r++) {
  const dir = await mkdtemp(join(tmpdir(), 'h9prof-'));
  const t = await openTransport(dir, codec, 1000);
  const profiled = out !== undefined && r === 2;
  if (profiled && mode !== 'consume') await session.post('Profiler.start');
  const c0 = process.cpuUsage();
  const ms = mode === 'single' ? await publishInFlight(t, envs, 1000) : await publishBatches(t, envs, 1000);
  const c1 = process.cpuUsage(c0);
  let line = `${mode} ${codec} ${size}: ${Math.round((envs.length / ms) * 1000)} msgs/s, cpu ${((c1.user + c1.system) / envs.length).toFixed(2)} µs/msg`;
  if (mode === 'consume') {
    if (profiled) await session.post('Profiler.start');
    const c2 = process.cpuUsage();
    const cms = await consumeAll(t, 'g', envs.length);
    const c3 = process.cpuUsage(c2);
    line += ` consume ${Math.round((envs.length / cms) * 1000)} msgs/s, cpu ${((c3.user + c3.system) / envs.length).toFixed(2)} µs/msg`;
  }
  if (profiled) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(out, JSON.stringify(profile));
  }
  console.log(line);
  await t.close();
  await rm(dir, { recursive: true, force: true });
}
