import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTransport, publishBatches } from './support/transport-runs';
import { makeEnvelopes } from './support/workload';
const envs = makeEnvelopes(50_000, 256);
for (let r = 0; r < 4; r++) {
  const dir = await mkdtemp(join(tmpdir(), 'pb-'));
  const t = await openTransport(join(dir, 'd'), 'json', 1000, false);
  const ms = await publishBatches(t, envs, 1000);
  console.log('publishBatch', (ms * 1000 / envs.length).toFixed(2), 'us/msg');
  await t.close(); await rm(dir, { recursive: true, force: true });
}
