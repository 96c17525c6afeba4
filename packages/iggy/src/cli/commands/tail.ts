import { NotFoundError } from '@rustok/core';
import { lastOffset } from '../../consumer/offsets/probe';
import { tenantPartition } from '../../partitioning/tenant-partition';
import type { ReplayOptions } from '../../replay/options';
import { intOption, type Position, parsePosition, stringListOption, stringOption } from '../args';
import type { Command } from '../command';
import { UsageError } from '../errors';
import { printEvent } from '../events-output';
import { pause } from '../wait';

/** How often idle partitions are checked for new events. */
const IDLE_POLL_MS = 200;

const HELP = `Usage: rustok-iggy tail [--topic NAME] [--tenant ID] [--type TYPE]... [--from POS] [--limit N]
                        [--data-dir DIR | --address HOST:PORT] [--json]

Prints new events of a topic as they arrive, until interrupted (Ctrl-C) or --limit is reached.
It reads without a consumer group, so no offsets are stored. With --json, one JSON object per
line. An embedded data dir is owned by one process at a time, so tailing a live application
needs remote mode (--address); on a data dir, tail shows what arrives while it holds it.

Options:
  --topic NAME     topic to follow (default domain)
  --tenant ID      only this tenant (follows only its partition)
  --type TYPE      only this event type; repeat or comma-separate for several
  --from POS       latest (default: only new events), earliest, offset:N or time:ISO-8601
  --limit N        exit after N events
`;

/** Where each followed partition continues. */
type Cursor = { kind: 'start'; position: Position } | { kind: 'offset'; next: bigint };

function replayFrom(cursor: Cursor): ReplayOptions['from'] {
  if (cursor.kind === 'offset') return { offset: cursor.next };
  const p = cursor.position;
  if (p.kind === 'offset') return { offset: p.offset };
  if (p.kind === 'time') return { timestamp: p.micros };
  return 'earliest';
}

/** `rustok-iggy tail`: follows a topic and prints events as they arrive. */
export const tailCommand: Command = {
  name: 'tail',
  summary: 'print new events as they arrive',
  help: HELP,
  options: {
    topic: { type: 'string' },
    tenant: { type: 'string' },
    type: { type: 'string', multiple: true },
    from: { type: 'string' },
    limit: { type: 'string' },
  },
  allowPositionals: false,
  async run(ctx) {
    const topic = stringOption(ctx.values, 'topic') ?? 'domain';
    const tenantId = stringOption(ctx.values, 'tenant');
    if (tenantId === '') throw new UsageError('--tenant must not be empty', 'tail');
    const types = stringListOption(ctx.values, 'type');
    const from = parsePosition(stringOption(ctx.values, 'from') ?? 'latest', 'from', 'tail', [
      'latest',
      'earliest',
      'offset',
      'time',
    ]);
    const limit = intOption(ctx.values, 'limit', 'tail', { min: 1 });
    const signal = ctx.io.signal;

    await using session = await ctx.open();
    const { connector, transport } = session;
    const info = await connector.getTopic(transport.stream, topic);
    if (!info) throw new NotFoundError(`topic ${transport.stream}/${topic} does not exist`, { details: { topic } });
    const partitions =
      tenantId === undefined
        ? Array.from({ length: info.partitions }, (_, i) => i)
        : [tenantPartition(tenantId, info.partitions)];
    const cursors = new Map<number, Cursor>();
    for (const p of partitions) {
      cursors.set(
        p,
        from.kind === 'latest'
          ? { kind: 'offset', next: (await lastOffset(connector, transport.stream, topic, p)) + 1n }
          : { kind: 'start', position: from },
      );
    }
    if (!ctx.globals.json) {
      ctx.io.stderr.write(`following ${transport.stream}/${topic} at ${session.location} (Ctrl-C to stop)\n`);
    }
    let printed = 0;
    while (!signal?.aborted) {
      let progressed = false;
      for (const p of partitions) {
        const cursor = cursors.get(p)!;
        const last = await lastOffset(connector, transport.stream, topic, p);
        if (last < 0n || (cursor.kind === 'offset' && last < cursor.next)) continue;
        const events = transport.replay({
          topic,
          partitions: [p],
          from: replayFrom(cursor),
          to: { offset: last },
          ...(tenantId !== undefined ? { tenantId } : {}),
          ...(types.length > 0 ? { types } : {}),
          ...(signal ? { signal } : {}),
          onDecodeError: 'skip',
        });
        for await (const replayed of events) {
          printEvent(ctx, replayed);
          printed += 1;
          if (limit !== undefined && printed >= limit) return;
        }
        cursors.set(p, { kind: 'offset', next: last + 1n });
        progressed = true;
      }
      if (!progressed) await pause(IDLE_POLL_MS, signal);
    }
  },
};
