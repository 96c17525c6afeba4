import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvent, defineEvent, type EventEnvelope } from '@rustok/core';
import { z } from 'zod';
import { IggyTransport } from '../../transport/transport';
import { intOption, stringOption } from '../args';
import type { Command, CommandContext } from '../command';
import { UsageError } from '../errors';
import { formatCount, perSecond } from '../format';
import { createProgress } from '../progress';
import { waitUntil } from '../wait';

const BenchTick = defineEvent({
  type: 'bench.tick',
  version: 1,
  payload: z.object({ seq: z.number().int(), data: z.string() }),
});

const FSYNC = ['always', 'interval', 'never'] as const;
/** Publish calls kept in flight at once. */
const WINDOW = 8;

const HELP = `Usage: rustok-iggy bench [--events N] [--tenants N] [--payload-bytes N] [--batch N]
                         [--fsync always|interval|never] [--json]

A quick throughput run on a fresh embedded data dir in the OS temp dir (removed afterwards):
publishes N events spread over the tenants, then consumes them with one consumer group, and
prints events/s and MiB/s for both phases. For careful measurements with baselines, use the
repository's benchmarks (pnpm run bench).

Options:
  --events N          events to publish and consume (default 20000)
  --tenants N         distinct tenants (default 16)
  --payload-bytes N   size of each event's filler payload (default 256)
  --batch N           events per publishBatch call; 1 publishes one by one (default 100)
  --fsync POLICY      durability policy of the temp data dir (default interval)
`;

/** Figures of one phase. */
interface Phase {
  events: number;
  ms: number;
  eventsPerSecond: number;
  mibPerSecond: number;
}

function phase(events: number, bytes: number, ms: number): Phase {
  return {
    events,
    ms: Math.round(ms),
    eventsPerSecond: Math.round(perSecond(events, ms)),
    mibPerSecond: Number((perSecond(bytes, ms) / (1024 * 1024)).toFixed(2)),
  };
}

async function runWindowed<T>(items: readonly T[], window: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(window, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

function settings(ctx: CommandContext) {
  if (ctx.globals.dataDir !== undefined || ctx.globals.address !== undefined) {
    throw new UsageError('bench always runs on a fresh temp data dir; drop --data-dir / --address', 'bench');
  }
  const fsync = stringOption(ctx.values, 'fsync') ?? 'interval';
  if (!(FSYNC as readonly string[]).includes(fsync)) {
    throw new UsageError(`--fsync must be one of ${FSYNC.join(', ')}, got ${JSON.stringify(fsync)}`, 'bench');
  }
  return {
    events: intOption(ctx.values, 'events', 'bench', { min: 1, max: 10_000_000 }) ?? 20_000,
    tenants: intOption(ctx.values, 'tenants', 'bench', { min: 1, max: 1_000_000 }) ?? 16,
    payloadBytes: intOption(ctx.values, 'payload-bytes', 'bench', { min: 0, max: 1_000_000 }) ?? 256,
    batch: intOption(ctx.values, 'batch', 'bench', { min: 1, max: 100_000 }) ?? 100,
    fsync: fsync as (typeof FSYNC)[number],
  };
}

/** `rustok-iggy bench`: a quick publish + consume throughput run on a temp data dir. */
export const benchCommand: Command = {
  name: 'bench',
  summary: 'quick publish + consume throughput run on a temp data dir',
  help: HELP,
  options: {
    events: { type: 'string' },
    tenants: { type: 'string' },
    'payload-bytes': { type: 'string' },
    batch: { type: 'string' },
    fsync: { type: 'string' },
  },
  allowPositionals: false,
  async run(ctx) {
    const s = settings(ctx);
    const dir = await mkdtemp(join(tmpdir(), 'rustok-iggy-bench-'));
    try {
      // The transport owns this connector and closes it.
      const transport = await IggyTransport.create({
        connector: { mode: 'embedded', embedded: { dataDir: dir, fsync: { policy: s.fsync } } },
        logger: ctx.logger,
      });
      const { connector } = transport;
      try {
        const filler = 'x'.repeat(s.payloadBytes);
        const events: EventEnvelope[] = Array.from({ length: s.events }, (_, seq) =>
          createEvent(BenchTick, { tenantId: `tenant-${seq % s.tenants}`, payload: { seq, data: filler } }),
        );
        const chunks: EventEnvelope[][] = [];
        for (let i = 0; i < events.length; i += s.batch) chunks.push(events.slice(i, i + s.batch));

        const publishing = createProgress(ctx.io.stderr, 'publishing', s.events);
        const publishStart = performance.now();
        await runWindowed(chunks, s.batch === 1 ? 256 : WINDOW, async (chunk) => {
          if (chunk.length === 1) await transport.publish(chunk[0]!);
          else await transport.publishBatch(chunk);
          publishing.advance(chunk.length);
        });
        const publishMs = performance.now() - publishStart;
        publishing.done();
        const bytes = Number((await connector.getTopic(transport.stream, 'domain'))?.sizeBytes ?? 0n);

        const consuming = createProgress(ctx.io.stderr, 'consuming', s.events);
        let handled = 0;
        const consumeStart = performance.now();
        const sub = await transport.subscribe('bench', {
          topics: ['domain'],
          concurrency: 64,
          pollBatchSize: 1000,
          commitIntervalMs: 100,
          handler: () => {
            handled += 1;
            consuming.advance();
          },
        });
        await waitUntil(() => handled >= s.events, {
          what: 'the bench consumer',
          timeoutMs: 300_000,
          intervalMs: 5,
          ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
        });
        const consumeMs = performance.now() - consumeStart;
        consuming.done();
        await sub.close();

        const result = {
          settings: s,
          bytesOnDisk: bytes,
          publish: phase(s.events, bytes, publishMs),
          consume: phase(s.events, bytes, consumeMs),
        };
        if (ctx.globals.json) return ctx.json(result);
        ctx.print(
          `bench: ${formatCount(s.events)} events of ${s.payloadBytes} B payload, ${s.tenants} tenants, ` +
            `${s.batch === 1 ? 'one by one' : `batches of ${s.batch}`}, fsync ${s.fsync} (embedded, temp dir)`,
        );
        ctx.print('');
        ctx.table(
          [
            { header: 'PHASE' },
            { header: 'EVENTS', align: 'right' },
            { header: 'TIME', align: 'right' },
            { header: 'EVENTS/S', align: 'right' },
            { header: 'MiB/S', align: 'right' },
          ],
          (['publish', 'consume'] as const).map((name) => [
            name,
            formatCount(result[name].events),
            `${formatCount(result[name].ms)} ms`,
            formatCount(result[name].eventsPerSecond),
            result[name].mibPerSecond.toFixed(1),
          ]),
        );
      } finally {
        await transport.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
