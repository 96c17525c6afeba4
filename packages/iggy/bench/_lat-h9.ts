import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureLatency } from './support/latency';
import { openTransport } from './support/transport-runs';
import { makeEnvelopes } from './support/workload';
const pool = makeEnvelopes(20000, 256);
for (const rate of process.argv.slice(2).map(Number)) {
  const dir = await mkdtemp(join(tmpdir(), 'h9lat-'));
  const t = await openTransport(dir, 'json', Number(process.env.FSYNC_MS ?? 1000));
  const c0 = process.cpuUsage();
  const r = await measureLatency(t, pool, { rate, warmupMs: 1000, durationMs: 3000 });
  const c = process.cpuUsage(c0);
  console.log(`rate ${rate}: p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(2)} p999 ${r.p999.toFixed(2)} max ${r.max.toFixed(2)} ms; cpu ${((c.user + c.system) / 1000 / 4.2 / 10).toFixed(0)}%`);
  await t.close();
  await rm(dir, { recursive: true, force: true });
}
