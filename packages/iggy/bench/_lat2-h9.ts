import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { measureLatency } from './support/latency';
import { openTransport } from './support/transport-runs';
import { makeEnvelopes } from './support/workload';
const pool = makeEnvelopes(20000, 256);
const gcs: number[] = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) gcs.push(e.duration); }).observe({ entryTypes: ['gc'] });
for (const rate of process.argv.slice(2).map(Number)) {
  const dir = await mkdtemp(join(tmpdir(), 'h9lat-'));
  const t = await openTransport(dir, 'json', 1000);
  gcs.length = 0;
  const h = monitorEventLoopDelay({ resolution: 1 }); h.enable();
  const r = await measureLatency(t, pool, { rate, warmupMs: 1000, durationMs: 3000 });
  h.disable();
  gcs.sort((a, b) => b - a);
  console.log(`rate ${rate}: p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(2)} p999 ${r.p999.toFixed(2)} max ${r.max.toFixed(2)} ms | loop delay p99 ${(h.percentile(99) / 1e6).toFixed(1)} max ${(h.max / 1e6).toFixed(1)} ms | gc n=${gcs.length} top ${gcs.slice(0, 5).map((g) => g.toFixed(1)).join(',')}`);
  await t.close();
  await rm(dir, { recursive: true, force: true });
}
