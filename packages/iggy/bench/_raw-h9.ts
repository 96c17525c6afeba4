import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRawConnector, rawSendAll, rawSends } from './support/raw-connector';
import { makeEnvelopes } from './support/workload';
const envs = makeEnvelopes(60000, 256);
const sends = rawSends(envs, 'json', 1000);
const noHeaders = sends.map((s) => ({ partition: s.partition, messages: s.messages.map((m) => ({ id: m.id!, payload: m.payload })) }));
const onePart = [] as typeof sends;
for (let i = 0; i < envs.length; i += 1000) onePart.push({ partition: 0, messages: sends.flatMap((s) => s.messages).slice(i, i + 1000) });
for (let r = 0; r < 3; r++) {
  for (const [name, s] of [['8 partitions', sends], ['no headers', noHeaders], ['1 partition', onePart]] as const) {
    const dir = await mkdtemp(join(tmpdir(), 'h9raw-'));
    const c = await openRawConnector(dir, 1000);
    const ms = await rawSendAll(c, s, 1000);
    console.log(name, Math.round(envs.length / ms * 1000));
    await c.close();
    await rm(dir, { recursive: true, force: true });
  }
}
