import { encodeHeaders, decodeHeaders } from '../iggy-connector/src/headers/codec';
import { validateEnvelope, EventRegistry, defineEvent, createEvent } from './src/index';
import { isIsoUtcTimestamp } from './src/envelope/predicates';
import { z } from 'zod';
const s = (value: string) => ({ kind: 'string' as const, value });
const mk = (i: number) => ({
  'content-type': s('application/json'),
  'rustok-event-type': s('order.created'),
  'rustok-tenant-id': s('tenant-' + (i % 4)),
  'rustok-schema-version': s('1'),
  traceparent: s('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
});
function bench(name: string, n: number, fn: (i: number) => unknown) {
  for (let i = 0; i < n / 4; i++) fn(i);
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn(i);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / n / 1000);
  }
  console.log(name.padEnd(24), best.toFixed(3), 'µs');
}
const hs = Array.from({ length: 64 }, (_, i) => mk(i));
bench('encodeHeaders', 200000, (i) => encodeHeaders(hs[i & 63]!));
const enc = hs.map((h) => encodeHeaders(h));
bench('decodeHeaders', 200000, (i) => decodeHeaders(enc[i & 63]!));
const Def = defineEvent({ type: 'order.created', version: 1, payload: z.object({ orderId: z.string().min(1), amount: z.number().int().nonnegative() }) });
const reg = new EventRegistry().register(Def);
const evs = Array.from({ length: 64 }, (_, i) => ({ ...createEvent(Def, { tenantId: 't' + i, payload: { orderId: 'o' + i, amount: i } }) }));
bench('validate structural', 200000, (i) => validateEnvelope(evs[i & 63]));
bench('validate definition', 100000, (i) => validateEnvelope(evs[i & 63], { definition: Def }));
bench('validate registry', 100000, (i) => reg.validate(evs[i & 63]));
bench('upcast latest', 200000, (i) => reg.upcast(evs[i & 63] as never));
bench('isIsoUtcTimestamp', 500000, (i) => isIsoUtcTimestamp(evs[i & 63]!.occurredAt));
