import { IggyClient } from '../../src/remote/connection/client';
import * as w from '../../src/remote/wire/index';

const c = new IggyClient({ addresses: ['127.0.0.1:8090'], credentials: { kind: 'password', username: 'iggy', password: 'iggy' } });
const log = (k: string, v: unknown) => console.log(k, JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array || (x && x.type === 'Buffer') ? `<${x.length ?? x.data?.length} bytes>` : x)));
async function step(name: string, fn: () => Promise<unknown>) {
  try { log(name, await fn()); } catch (e) { console.log(name, 'ERR', (e as Error).name, (e as {code?:string}).code, (e as {iggyCode?:number}).iggyCode, (e as Error).message); }
}
await c.connect();
log('server', c.server);
await step('stats', async () => (await c.call(w.getStats, undefined)).serverVersion);
await step('me', () => c.call(w.getMe, undefined));
await step('cluster', () => c.call(w.getClusterMetadata, undefined));
await step('getStream missing', () => c.call(w.getStream, { stream: 'nope' }));
await step('createStream', () => c.call(w.createStream, { name: 'smoke', options: {} }));
await step('createStream again', () => c.call(w.createStream, { name: 'smoke', options: {} }));
await step('createTopic', () => c.call(w.createTopic, { stream: 'smoke', partitionsCount: 2, name: 't', options: { message_expiry: { kind: 'uint64', value: 3_600_000_000n }, max_topic_size: { kind: 'uint64', value: 10_000_000n }, segment_size: { kind: 'uint64', value: 2_500_096n } } }));
await step('createTopic plain', () => c.call(w.createTopic, { stream: 'smoke', partitionsCount: 1, name: 'plain', options: {} }));
await step('getTopic plain', () => c.call(w.getTopic, { stream: 'smoke', topic: 'plain' }));
await step('getTopics', () => c.call(w.getTopics, { stream: 'smoke' }));
await step('getTopics missing', () => c.call(w.getTopics, { stream: 'missing' }));
await step('poll empty', () => c.call(w.pollMessages, { consumer: { kind: 'consumer', id: 1 }, stream: 'smoke', topic: 't', partition: 0, strategy: { kind: 'first', value: 0n }, count: 10, autoCommit: false }));
await step('getOffset none', () => c.call(w.getConsumerOffset, { consumer: { kind: 'consumer', id: 1 }, stream: 'smoke', topic: 't', partition: 0 }));
await step('store on empty', () => c.call(w.storeConsumerOffset, { consumer: { kind: 'consumer', id: 1 }, stream: 'smoke', topic: 't', partition: 0, offset: 0n, ack: 1 }));
const now = BigInt(Date.now()) * 1000n;
const batch = (texts: string[]) => ({ partitionId: 0n, baseOffset: 0n, baseTimestamp: 0n, originTimestamp: now, frames: texts.map((t, i) => ({ id: BigInt(i + 1), offsetDelta: i, timestampDelta: 0, payload: Buffer.from(t), headers: new Uint8Array(0) })) });
await step('send', () => c.call(w.sendMessages, { stream: 'smoke', topic: 't', partitioning: { kind: 'partition', id: 0 }, batch: batch(['a', 'b', 'c']) }));
await step('send2', () => c.call(w.sendMessages, { stream: 'smoke', topic: 't', partitioning: { kind: 'partition', id: 0 }, batch: batch(['d', 'e']) }));
await step('send missing partition', () => c.call(w.sendMessages, { stream: 'smoke', topic: 't', partitioning: { kind: 'partition', id: 5 }, batch: batch(['x']) }, { timeoutMs: 3000 }));
await step('send missing topic', () => c.call(w.sendMessages, { stream: 'smoke', topic: 'zz', partitioning: { kind: 'partition', id: 0 }, batch: batch(['x']) }, { timeoutMs: 3000 }));
for (const kind of ['first', 'last', 'next', 'offset', 'timestamp'] as const) {
  await step(`poll ${kind}`, async () => {
    const r = await c.call(w.pollMessages, { consumer: { kind: 'consumer', id: 1 }, stream: 'smoke', topic: 't', partition: 0, strategy: { kind, value: kind === 'offset' ? 3n : kind === 'timestamp' ? now : 0n }, count: 2, autoCommit: false });
    return { p: r.partitionId, cur: r.currentOffset, n: r.messagesCount, msgs: w.flattenBatches(r.batches).map((m) => [m.offset, Buffer.from(m.payload).toString(), m.timestamp]) };
  });
}
await step('poll past end', () => c.call(w.pollMessages, { consumer: { kind: 'consumer', id: 1 }, stream: 'smoke', topic: 't', partition: 0, strategy: { kind: 'offset', value: 100n }, count: 2, autoCommit: false }));
await step('poll missing partition', () => c.call(w.pollMessages, { consumer: { kind: 'consumer', id: 1 }, stream: 'smoke', topic: 't', partition: 9, strategy: { kind: 'first', value: 0n }, count: 2, autoCommit: false }));
await step('store 1', () => c.call(w.storeConsumerOffset, { consumer: { kind: 'consumer', id: 'cc' }, stream: 'smoke', topic: 't', partition: 0, offset: 1n, ack: 1 }));
await step('store beyond', () => c.call(w.storeConsumerOffset, { consumer: { kind: 'consumer', id: 'cc' }, stream: 'smoke', topic: 't', partition: 0, offset: 5n, ack: 1 }));
await step('get offset', () => c.call(w.getConsumerOffset, { consumer: { kind: 'consumer', id: 'cc' }, stream: 'smoke', topic: 't', partition: 0 }));
await step('get offset missing partition', () => c.call(w.getConsumerOffset, { consumer: { kind: 'consumer', id: 'cc' }, stream: 'smoke', topic: 't', partition: 7 }));
await step('get offset missing group', () => c.call(w.getConsumerOffset, { consumer: { kind: 'group', id: 'nog' }, stream: 'smoke', topic: 't', partition: 0 }));
await step('delete offset', () => c.call(w.deleteConsumerOffset, { consumer: { kind: 'consumer', id: 'cc' }, stream: 'smoke', topic: 't', partition: 0, ack: 1 }));
await step('delete offset again', () => c.call(w.deleteConsumerOffset, { consumer: { kind: 'consumer', id: 'cc' }, stream: 'smoke', topic: 't', partition: 0, ack: 1 }));
await step('create group', () => c.call(w.createConsumerGroup, { stream: 'smoke', topic: 't', name: 'g' }));
await step('create group again', () => c.call(w.createConsumerGroup, { stream: 'smoke', topic: 't', name: 'g' }));
await step('get group missing', () => c.call(w.getConsumerGroup, { stream: 'smoke', topic: 't', group: 'zz' }));
await step('groups missing topic', () => c.call(w.getConsumerGroups, { stream: 'smoke', topic: 'zz' }));
await step('sync before join', () => c.call(w.syncConsumerGroup, { stream: 'smoke', topic: 't', group: 'g' }));
await step('join', () => c.call(w.joinConsumerGroup, { stream: 'smoke', topic: 't', group: 'g' }));
await step('sync', () => c.call(w.syncConsumerGroup, { stream: 'smoke', topic: 't', group: 'g' }));
await step('get group', () => c.call(w.getConsumerGroup, { stream: 'smoke', topic: 't', group: 'g' }));
await step('group poll p0', () => c.call(w.pollMessages, { consumer: { kind: 'group', id: 'g' }, stream: 'smoke', topic: 't', partition: 0, strategy: { kind: 'next', value: 0n }, count: 10, autoCommit: true }).then(r => ({ p: r.partitionId, n: r.messagesCount })));
await step('group offset', () => c.call(w.getConsumerOffset, { consumer: { kind: 'group', id: 'g' }, stream: 'smoke', topic: 't', partition: 0 }));
await step('leave', () => c.call(w.leaveConsumerGroup, { stream: 'smoke', topic: 't', group: 'g' }));
await step('group poll after leave', () => c.call(w.pollMessages, { consumer: { kind: 'group', id: 'g' }, stream: 'smoke', topic: 't', partition: 0, strategy: { kind: 'next', value: 0n }, count: 10, autoCommit: false }).then(r => ({ p: r.partitionId, n: r.messagesCount })));
await step('group store after leave', () => c.call(w.storeConsumerOffset, { consumer: { kind: 'group', id: 'g' }, stream: 'smoke', topic: 't', partition: 0, offset: 0n, ack: 1 }));
await step('pat', () => c.call(w.createPersonalAccessToken, { name: 'smoke-pat', expiry: 0n }));
await step('del pat', () => c.call(w.deletePersonalAccessToken, { name: 'smoke-pat' }));
await step('delete topic missing', () => c.call(w.deleteTopic, { stream: 'smoke', topic: 'zz' }));
await step('delete stream', () => c.call(w.deleteStream, { stream: 'smoke' }));
await step('delete stream again', () => c.call(w.deleteStream, { stream: 'smoke' }));
await step('create topic missing stream', () => c.call(w.createTopic, { stream: 'nostream', partitionsCount: 1, name: 't', options: {} }));
await c.close();
