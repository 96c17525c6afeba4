import { randomBytes } from 'node:crypto';
import { encodeSendMessagesFrame } from './src/remote/wire/commands/messages.ts';
import { checksumsReady, writeXxh3 } from './src/remote/wire/checksum.ts';
await checksumsReady();
const items = Array.from({ length: 1000 }, () => ({ id: 0n, payload: randomBytes(1024), headers: new Uint8Array(0) }));
function best(name: string, f: () => void, n = 200) {
  for (let i = 0; i < 50; i++) f();
  let min = Infinity;
  for (let r = 0; r < 5; r++) { const t = performance.now(); for (let i = 0; i < n; i++) f(); min = Math.min(min, (performance.now() - t) / n); }
  console.log(name, min.toFixed(3), 'ms/batch');
}
best('full encode', () => encodeSendMessagesFrame('s', 't', 0, 1n, items));
const out = Buffer.alloc(1100 * 1000);
const ck = Buffer.alloc(8100);
best('hash only (subarray+writeXxh3)', () => { for (let i = 0; i < 1000; i++) writeXxh3(out.subarray(i * 1100 + 8, i * 1100 + 1080), out, i * 1100, ck, 44 + 8 * i); });
best('copies only', () => { const o = Buffer.alloc(1100 * 1000); for (let i = 0; i < 1000; i++) o.set(items[i].payload, i * 1100 + 48); });
