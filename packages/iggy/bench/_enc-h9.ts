import { validateEnvelope } from '@rustok/core';
import { buildEventHeaders } from '../src/codec/headers';
import { MessageCodec } from '../src/codec/message-codec';
import { uuidToMessageId } from '../src/codec/message-id';
import { benchRegistry, makeEnvelopes } from './support/workload';
const envs = makeEnvelopes(20000, Number(process.argv[2] ?? 256));
const registry = benchRegistry();
const valid = envs.map((e) => validateEnvelope(e, { registry }));
const codec = new MessageCodec({ codec: 'json', validate: (v) => v as never });
const strs = valid.map((e) => JSON.stringify(e));
function b(name: string, fn: (i: number) => unknown) {
  let s = 0;
  for (let i = 0; i < valid.length; i++) s += fn(i) ? 1 : 0;
  let best = Infinity;
  for (let r = 0; r < 7; r++) { const t = process.cpuUsage(); for (let i = 0; i < valid.length; i++) s += fn(i) ? 1 : 0; const u = process.cpuUsage(t); best = Math.min(best, (u.user + u.system) / valid.length); }
  console.log(name.padEnd(30), best.toFixed(3), 'µs');
}
b('encode', (i) => codec.encode(valid[i]!));
b('stringify', (i) => JSON.stringify(valid[i]));
b('stringify(orig)', (i) => JSON.stringify(envs[i]));
b('Buffer.from(str)', (i) => Buffer.from(strs[i]!));
b('uuidToMessageId', (i) => uuidToMessageId(valid[i]!.id));
b('buildEventHeaders', (i) => buildEventHeaders(valid[i]!, 'application/json'));
b('byteLength x3', (i) => Buffer.byteLength(valid[i]!.type) + Buffer.byteLength(valid[i]!.tenantId) + Buffer.byteLength(valid[i]!.id));
