import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTransport, publishInFlight, publishWhileConsuming } from './support/transport-runs';
import { makeEnvelopes } from './support/workload';

const envs = makeEnvelopes(20000, 256);
const out = process.argv[2];
const session = new Session();
session.connect();
await session.post('Profiler.enable');
for (let r = 0; r < 3; r++) {
  const dir = await mkdtemp(join(tmpdir(), 'h9e2e-'));
  const t = await openTransport(dir, 'json', 1000);
  const conn = t.connector;
  const origPoll = conn.poll.bind(conn);
  const origSend = conn.send.bind(conn);
  let polls = 0, polled = 0, sends = 0, sent = 0, emptyPolls = 0;
  conn.poll = async (...a: Parameters<typeof conn.poll>) => { const b = await origPoll(...a); polls++; polled += b.messages.length; if (!b.messages.length) emptyPolls++; return b; };
  conn.send = async (...a: Parameters<typeof conn.send>) => { sends++; sent += a[3].length; return origSend(...a); };
  const profiled = out !== undefined && r === 2;
  if (profiled) await session.post('Profiler.start');
  const c0 = process.cpuUsage();
  const ms = await publishWhileConsuming(t, `g${r}`, envs, 1000);
  const c = process.cpuUsage(c0);
  if (profiled) writeFileSync(out, JSON.stringify((await session.post('Profiler.stop')).profile));
  const dir2 = await mkdtemp(join(tmpdir(), 'h9e2e-'));
  const t2 = await openTransport(dir2, 'json', 1000);
  const ms2 = await publishInFlight(t2, envs, 1000);
  console.log(`polls ${polls} (empty ${emptyPolls}) avg ${(polled / polls).toFixed(1)} msgs; sends ${sends} avg ${(sent / sends).toFixed(1)} msgs`);
  console.log(`e2e ${Math.round((envs.length / ms) * 1000)} msgs/s cpu ${((c.user + c.system) / envs.length).toFixed(1)} µs/msg | publish only ${Math.round((envs.length / ms2) * 1000)}`);
  await t.close();
  await t2.close();
  await rm(dir, { recursive: true, force: true });
  await rm(dir2, { recursive: true, force: true });
}
