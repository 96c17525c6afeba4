import { randomBytes } from 'node:crypto';
import { IggyClient } from './src/remote/connection/client.ts';
import { encodeSendMessagesFrame, sendMessages, createStream, createTopic, deleteStream } from './src/remote/wire/commands/index.ts';
const c = new IggyClient({ addresses: ['127.0.0.1:18090'], credentials: { kind: 'password', username: 'iggy', password: 'iggy' } });
await c.connect();
const stream = 'bd-' + Date.now();
await c.call(createStream, { name: stream, options: {} });
await c.call(createTopic, { stream, partitionsCount: 1, name: 't', options: {} });
const items = Array.from({ length: 1000 }, () => ({ id: 0n, payload: randomBytes(1024), headers: new Uint8Array(0) }));
const enc: number[] = [], ex: number[] = [];
for (let i = 0; i < 220; i++) {
  const t0 = performance.now();
  const frame = encodeSendMessagesFrame(stream, 't', 0, BigInt(Date.now()) * 1000n, items);
  const t1 = performance.now();
  await c.callFrame(sendMessages, frame);
  const t2 = performance.now();
  if (i >= 20) { enc.push(t1 - t0); ex.push(t2 - t1); }
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)].toFixed(2);
const avg = (a: number[]) => (a.reduce((x, y) => x + y, 0) / a.length).toFixed(2);
console.log('encode p50', med(enc), 'avg', avg(enc), ' exchange p50', med(ex), 'avg', avg(ex));
await c.call(deleteStream, { stream });
await c.close();
