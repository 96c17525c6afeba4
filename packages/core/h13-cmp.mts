import * as N from '../iggy-connector/src/headers/codec';
import * as O from './h13-old-codec';
const s = (value: string) => ({ kind: 'string' as const, value });
const hs = Array.from({ length: 64 }, (_, i) => ({
  'content-type': s('application/json'),
  'rustok-event-type': s('order.created'),
  'rustok-tenant-id': s('3b241101-e2bb-4255-8caf-4136c566a96' + (i % 8)),
  'rustok-schema-version': s('1'),
  traceparent: s('00-4bf92f3577b34da6a3ce929d0e0e47' + String(i).padStart(2, '0') + '-00f067aa0ba902b7-01'),
}));
function run(fn: (i: number) => unknown, n: number) { const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) fn(i); return Number(process.hrtime.bigint() - t) / n / 1000; }
const enc = hs.map((h) => O.encodeHeaders(h));
for (const h of hs) if (!N.encodeHeaders(h).equals(O.encodeHeaders(h))) throw new Error('mismatch');
const res: Record<string, number[]> = { oe: [], ne: [], od: [], nd: [] };
for (let r = 0; r < 8; r++) {
  res.oe!.push(run((i) => O.encodeHeaders(hs[i & 63]!), 50000));
  res.ne!.push(run((i) => N.encodeHeaders(hs[i & 63]!), 50000));
  res.od!.push(run((i) => O.decodeHeaders(enc[i & 63]!), 50000));
  res.nd!.push(run((i) => N.decodeHeaders(enc[i & 63]!), 50000));
}
for (const [k, v] of Object.entries(res)) console.log(k, Math.min(...v).toFixed(3), 'µs min,', v.sort()[4]!.toFixed(3), 'median-ish');
