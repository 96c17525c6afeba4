import type { EventEnvelope } from '@rustok/core';
import { intOption } from '../args';
import type { Command, CommandContext } from '../command';
import { formatCount } from '../format';
import { createProgress } from '../progress';
import { OrderPaid, sampleOrder, seededRandom } from '../sample/events';
import { waitUntil } from '../wait';

/** Sample tenants; `umbrella` pays some orders in a currency billing rejects. */
export const DEMO_TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'] as const;
/** The tenant whose `XXX` payments end in the DLQ. */
export const BROKEN_TENANT = 'umbrella';
const BAD_CURRENCY = 'XXX';

function currencyOf(tenantId: string, n: number): string {
  if (tenantId === BROKEN_TENANT && n % 4 === 0) return BAD_CURRENCY;
  return tenantId === 'globex' ? 'USD' : 'EUR';
}

/** All sample events: `orders` orders per tenant, interleaved across tenants like real traffic. */
function sampleEvents(orders: number, firstOrder: number): EventEnvelope[] {
  const random = seededRandom(firstOrder);
  const perTenant = DEMO_TENANTS.map((tenantId) => {
    const events: EventEnvelope[] = [];
    for (let n = firstOrder; n < firstOrder + orders; n++) {
      events.push(...sampleOrder({ tenantId, n, currency: currencyOf(tenantId, n), random, shipped: n % 3 !== 0 }));
    }
    return events;
  });
  const out: EventEnvelope[] = [];
  for (let i = 0; perTenant.some((events) => i < events.length); i++) {
    for (const events of perTenant) if (i < events.length) out.push(events[i]!);
  }
  return out;
}

const HELP = `Usage: rustok-iggy demo [--orders N] [--data-dir DIR] [--json]

Seeds a data dir with sample order events for ${DEMO_TENANTS.length} tenants, so the other commands have
something to show: publishes order.created / order.paid / order.shipped (topic domain) and
index.order-updated (topic system), runs consumer group "billing" (2 members; it rejects
payments in ${BAD_CURRENCY}, so some ${BROKEN_TENANT} events end in the DLQ) and group "shipping", then
publishes a few more orders that no group has consumed yet (so "groups" shows lag).
Running it again adds more data.

Options:
  --orders N     orders per tenant (default 20)
`;

/** `rustok-iggy demo`: seeds sample data, dead letters and lag. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'seed a data dir with sample events, dead letters and lag',
  help: HELP,
  options: { orders: { type: 'string' } },
  allowPositionals: false,
  async run(ctx) {
    const orders = intOption(ctx.values, 'orders', 'demo', { min: 1, max: 100_000 }) ?? 20;
    await using session = await ctx.open({ create: true, quiet: true });
    const { transport } = session;
    const dlqBefore = (await transport.dlq.summary({ group: 'billing' })).total;
    // Continue numbering after earlier runs, so order ids stay unique.
    const firstOrder = 1 + Number((await session.connector.getTopic(transport.stream, 'domain'))?.messagesCount ?? 0n);
    const events = sampleEvents(orders, firstOrder);

    const publishing = createProgress(ctx.io.stderr, 'publishing', events.length);
    const published: Record<string, number> = {};
    for (let i = 0; i < events.length; i += 200) {
      const chunk = events.slice(i, i + 200);
      for (const receipt of await transport.publishBatch(chunk)) {
        const topic = receipt.topic ?? '?';
        published[topic] = (published[topic] ?? 0) + 1;
      }
      publishing.advance(chunk.length);
    }
    publishing.done();

    const expectedDeadLetters = events.filter(
      (e) => e.type === OrderPaid.type && (e.payload as { currency: string }).currency === BAD_CURRENCY,
    ).length;
    const consumerOptions = {
      topics: ['domain'],
      retry: { maxAttempts: 2, backoff: 'fixed' as const, initialDelayMs: 1 },
      commitIntervalMs: 20,
      pollWaitMs: 50,
    };
    const members = [
      ...[1, 2].map(() =>
        transport.subscribe('billing', {
          ...consumerOptions,
          types: [OrderPaid.type],
          handler: (event) => {
            const { currency } = event.payload as { currency: string };
            if (currency === BAD_CURRENCY) throw new Error(`unsupported currency ${currency}`);
          },
        }),
      ),
      transport.subscribe('shipping', { ...consumerOptions, types: ['order.shipped'], handler: () => undefined }),
    ];
    const subscriptions = await Promise.all(members);
    const startLag = (await transport.lag('billing')).total + (await transport.lag('shipping')).total;
    const consuming = createProgress(ctx.io.stderr, 'consuming', Number(startLag));
    let seen = 0n;
    try {
      await waitUntil(
        async () => {
          const lag = (await transport.lag('billing')).total + (await transport.lag('shipping')).total;
          const done = startLag - lag;
          if (done > seen) {
            consuming.advance(Number(done - seen));
            seen = done;
          }
          const deadLetters = (await transport.dlq.summary({ group: 'billing' })).total - dlqBefore;
          return lag === 0n && deadLetters >= expectedDeadLetters;
        },
        { what: 'the demo consumer groups', timeoutMs: 60_000, intervalMs: 25, ...signalOf(ctx) },
      );
    } finally {
      consuming.done();
      await Promise.all(subscriptions.map((s) => s.close()));
    }

    // A few more orders that nobody has consumed yet, so `groups` has lag to show.
    const late = sampleEvents(1, firstOrder + orders).filter((e) => e.type === 'order.created' || e.type === 'order.paid');
    await transport.publishBatch(late);
    for (const e of late) published[transport.topicFor(e.type)] = (published[transport.topicFor(e.type)] ?? 0) + 1;

    const total = Object.values(published).reduce((a, b) => a + b, 0);
    const result = {
      location: session.location,
      stream: transport.stream,
      tenants: [...DEMO_TENANTS],
      published: { total, byTopic: published },
      deadLetters: { added: expectedDeadLetters, tenant: BROKEN_TENANT, group: 'billing' },
      unconsumed: late.length,
    };
    if (ctx.globals.json) return ctx.json(result);
    const dir = ctx.globals.dataDir === undefined ? '' : ` --data-dir ${ctx.globals.dataDir}`;
    const byTopic = Object.entries(published)
      .map(([topic, n]) => `${topic} ${formatCount(n)}`)
      .join(', ');
    ctx.print(`Seeded ${session.location} (stream ${transport.stream}):`);
    ctx.print(`  published ${formatCount(total)} events for ${DEMO_TENANTS.length} tenants (${byTopic})`);
    ctx.print(`  group billing (2 members) handled the order.paid events; ${expectedDeadLetters} of ${BROKEN_TENANT}`);
    ctx.print(`    were paid in ${BAD_CURRENCY}, failed twice and went to the DLQ`);
    ctx.print('  group shipping (1 member) handled the order.shipped events');
    ctx.print(`  then ${late.length} more events arrived that no group has consumed yet`);
    ctx.print('');
    ctx.print('Try:');
    ctx.print(`  rustok-iggy topics${dir}`);
    ctx.print(`  rustok-iggy groups${dir}`);
    ctx.print(`  rustok-iggy replay --tenant acme --type order.paid${dir}`);
    ctx.print(`  rustok-iggy dlq list${dir}`);
    ctx.print(`  rustok-iggy dlq redrive --tenant ${BROKEN_TENANT}${dir}`);
  },
};

function signalOf(ctx: CommandContext): { signal?: AbortSignal } {
  return ctx.io.signal ? { signal: ctx.io.signal } : {};
}
