import { isUtf8 } from 'node:buffer';
import { makeEnvelopes } from './support/workload';
const envs = makeEnvelopes(10000, 256);
const bufs = envs.map((e) => Buffer.from(JSON.stringify(e)));
const strs = envs.map((e) => JSON.stringify(e));
const td = new TextDecoder('utf-8', { fatal: true });
function b(name: string, fn: (i: number) => unknown) {
  let s = 0;
  for (let w = 0; w < 3; w++) for (let i = 0; i < bufs.length; i++) s += fn(i) ? 1 : 0;
  let best = Infinity;
  for (let r = 0; r < 7; r++) { const t = process.cpuUsage(); for (let i = 0; i < bufs.length; i++) s += fn(i) ? 1 : 0; const u = process.cpuUsage(t); best = Math.min(best, (u.user + u.system) / bufs.length); }
  console.log(name.padEnd(36), best.toFixed(3), 'µs');
}
b('JSON.parse(str)', (i) => JSON.parse(strs[i]!));
b('TextDecoder fatal', (i) => td.decode(bufs[i]!));
b('toString utf8', (i) => bufs[i]!.toString('utf8'));
b('isUtf8', (i) => isUtf8(bufs[i]!));
b('latin1Slice', (i) => bufs[i]!.latin1Slice(0, bufs[i]!.length));
b('asciiSlice', (i) => bufs[i]!.asciiSlice(0, bufs[i]!.length));
b('JSON.parse(TextDecoder)', (i) => JSON.parse(td.decode(bufs[i]!)));
b('JSON.parse(toString)', (i) => JSON.parse(bufs[i]!.toString('utf8')));
b('JSON.parse(latin1Slice)', (i) => JSON.parse(bufs[i]!.latin1Slice(0, bufs[i]!.length)));
b('JSON.stringify', (i) => JSON.stringify(envs[i]));
