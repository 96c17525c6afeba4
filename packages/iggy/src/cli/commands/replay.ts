import type { ReplayOptions } from '../../replay/options';
import { intOption, parsePosition, stringListOption, stringOption } from '../args';
import type { Command } from '../command';
import { UsageError } from '../errors';
import { printEvent } from '../events-output';

const HELP = `Usage: rustok-iggy replay [--topic NAME] [--from POS] [--to POS] [--tenant ID] [--type TYPE]...
                          [--partition N] [--limit N] [--data-dir DIR | --address HOST:PORT] [--json]

Prints the events of a topic, partition by partition in offset order, without touching any
consumer group's offsets. With --json, prints one JSON object per line (bigints as strings).

Options:
  --topic NAME     topic to read (default domain)
  --from POS       earliest (default), offset:N, or time:ISO-8601 (broker append time, inclusive)
  --to POS         offset:N or time:ISO-8601, inclusive (default: the end when the replay starts)
  --tenant ID      only this tenant (reads only its partition)
  --type TYPE      only this event type; repeat or comma-separate for several
  --partition N    only this partition
  --limit N        stop after N events
`;

/** `rustok-iggy replay`: prints a topic's events from a position. */
export const replayCommand: Command = {
  name: 'replay',
  summary: 'print the events of a topic from a position (no group is touched)',
  help: HELP,
  options: {
    topic: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    tenant: { type: 'string' },
    type: { type: 'string', multiple: true },
    partition: { type: 'string' },
    limit: { type: 'string' },
  },
  allowPositionals: false,
  async run(ctx) {
    const topic = stringOption(ctx.values, 'topic') ?? 'domain';
    const from = parsePosition(stringOption(ctx.values, 'from') ?? 'earliest', 'from', 'replay', [
      'earliest',
      'offset',
      'time',
    ]);
    const toText = stringOption(ctx.values, 'to');
    const to = toText === undefined ? undefined : parsePosition(toText, 'to', 'replay', ['offset', 'time']);
    const limit = intOption(ctx.values, 'limit', 'replay', { min: 1 });
    const partition = intOption(ctx.values, 'partition', 'replay');
    const tenantId = stringOption(ctx.values, 'tenant');
    const types = stringListOption(ctx.values, 'type');
    if (tenantId === '') throw new UsageError('--tenant must not be empty', 'replay');

    const options: ReplayOptions = {
      topic,
      from: from.kind === 'offset' ? { offset: from.offset } : from.kind === 'time' ? { timestamp: from.micros } : 'earliest',
      ...(to?.kind === 'offset' ? { to: { offset: to.offset } } : {}),
      ...(to?.kind === 'time' ? { to: { timestamp: to.micros } } : {}),
      ...(tenantId !== undefined ? { tenantId } : {}),
      ...(types.length > 0 ? { types } : {}),
      ...(partition !== undefined ? { partitions: [partition] } : {}),
      ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
      onDecodeError: 'skip',
    };
    await using session = await ctx.open();
    let count = 0;
    for await (const replayed of session.transport.replay(options)) {
      printEvent(ctx, replayed);
      count += 1;
      if (limit !== undefined && count >= limit) break;
    }
    if (!ctx.globals.json) ctx.io.stderr.write(`${count} event(s) replayed from ${topic}\n`);
  },
};
