import { NotFoundError } from '@rustok/core';
import type { IggyConnector, TopicInfo } from '@rustok/iggy-connector';
import { stringOption } from '../args';
import type { Command } from '../command';
import { formatBytes, formatCount, formatPeriod } from '../format';

const READER = { kind: 'consumer', id: 'rustok-cli-topics' } as const;

/** Offsets of one partition. */
interface PartitionStats {
  partition: number;
  messages: bigint;
  /** First retained offset, null when empty. */
  firstOffset: bigint | null;
  /** Last offset, null when empty. */
  lastOffset: bigint | null;
}

async function partitionStats(
  connector: IggyConnector,
  stream: string,
  topic: string,
  partition: number,
): Promise<PartitionStats> {
  const batch = await connector.poll(stream, topic, {
    consumer: READER,
    partition,
    strategy: { kind: 'first' },
    count: 1,
  });
  const first = batch.messages[0]?.offset ?? null;
  const last = batch.currentOffset >= 0n ? batch.currentOffset : null;
  const messages = first !== null && last !== null ? last - first + 1n : 0n;
  return { partition, messages, firstOffset: first, lastOffset: last };
}

const HELP = `Usage: rustok-iggy topics [--topic NAME] [--data-dir DIR | --address HOST:PORT] [--json]

Lists the stream's topics (partitions, messages, size on disk, retention) and, per partition,
the message count and the first and last offsets.

Options:
  --topic NAME   only this topic
`;

/** `rustok-iggy topics`: the stream's topics and partitions with counts and sizes. */
export const topicsCommand: Command = {
  name: 'topics',
  summary: 'list topics and partitions with message counts and sizes',
  help: HELP,
  options: { topic: { type: 'string' } },
  allowPositionals: false,
  async run(ctx) {
    await using session = await ctx.open();
    const { connector } = session;
    const stream = ctx.globals.stream;
    const only = stringOption(ctx.values, 'topic');
    let topics: TopicInfo[] = await connector.listTopics(stream);
    if (only !== undefined) topics = topics.filter((t) => t.name === only);
    if (only !== undefined && topics.length === 0) {
      throw new NotFoundError(`topic ${stream}/${only} does not exist`, { details: { topic: only } });
    }
    const details = [];
    for (const topic of topics) {
      const partitions: PartitionStats[] = [];
      for (let p = 0; p < topic.partitions; p++) partitions.push(await partitionStats(connector, stream, topic.name, p));
      details.push({ topic, partitions });
    }
    if (ctx.globals.json) {
      return ctx.json({
        stream,
        location: session.location,
        topics: details.map(({ topic, partitions }) => ({
          name: topic.name,
          partitions: topic.partitions,
          messages: topic.messagesCount,
          sizeBytes: topic.sizeBytes,
          messageExpiryMs: topic.messageExpiryMs,
          maxTopicBytes: topic.maxTopicBytes,
          partitionStats: partitions,
        })),
      });
    }
    ctx.print(`stream ${stream} at ${session.location}: ${topics.length} topic(s)`);
    ctx.print('');
    ctx.table(
      [
        { header: 'TOPIC' },
        { header: 'PARTITIONS', align: 'right' },
        { header: 'MESSAGES', align: 'right' },
        { header: 'SIZE', align: 'right' },
        { header: 'RETENTION' },
        { header: 'MAX SIZE', align: 'right' },
      ],
      topics.map((t) => [
        t.name,
        String(t.partitions),
        formatCount(t.messagesCount),
        formatBytes(t.sizeBytes),
        formatPeriod(t.messageExpiryMs),
        t.maxTopicBytes === null || t.maxTopicBytes === 0n ? 'unlimited' : formatBytes(t.maxTopicBytes),
      ]),
    );
    ctx.print('');
    ctx.table(
      [
        { header: 'TOPIC' },
        { header: 'PARTITION', align: 'right' },
        { header: 'MESSAGES', align: 'right' },
        { header: 'FIRST', align: 'right' },
        { header: 'LAST', align: 'right' },
      ],
      details.flatMap(({ topic, partitions }) =>
        partitions.map((p) => [
          topic.name,
          String(p.partition),
          formatCount(p.messages),
          p.firstOffset === null ? '-' : String(p.firstOffset),
          p.lastOffset === null ? '-' : String(p.lastOffset),
        ]),
      ),
    );
  },
};
