import { NotFoundError } from '@rustok/core';
import type { GroupLag } from '../../consumer/offsets/lag';
import { stringOption } from '../args';
import type { Command } from '../command';
import { formatCount } from '../format';

const HELP = `Usage: rustok-iggy groups [--group NAME] [--topic NAME] [--data-dir DIR | --address HOST:PORT] [--json]

Lists consumer groups per topic and partition: the committed offset (what the group has
finished), the partition's last offset, and the lag between them; plus the live members.

Options:
  --group NAME   only this group
  --topic NAME   only this topic
`;

/** One group on one topic, with its live member count. */
interface GroupRow {
  group: string;
  topic: string;
  members: number;
  lag: GroupLag['topics'][number];
}

/** `rustok-iggy groups`: committed offsets, last offsets and lag per group and partition. */
export const groupsCommand: Command = {
  name: 'groups',
  summary: 'show consumer groups: committed offset, last offset and lag per partition',
  help: HELP,
  options: { group: { type: 'string' }, topic: { type: 'string' } },
  allowPositionals: false,
  async run(ctx) {
    const onlyGroup = stringOption(ctx.values, 'group');
    const onlyTopic = stringOption(ctx.values, 'topic');
    await using session = await ctx.open();
    const { connector, transport } = session;
    const rows: GroupRow[] = [];
    for (const topic of await connector.listTopics(transport.stream)) {
      if (onlyTopic !== undefined && topic.name !== onlyTopic) continue;
      for (const group of await connector.listGroups(transport.stream, topic.name)) {
        if (onlyGroup !== undefined && group.name !== onlyGroup) continue;
        const lag = await transport.lag(group.name, { topics: [topic.name] });
        for (const topicLag of lag.topics) {
          rows.push({ group: group.name, topic: topic.name, members: group.members.length, lag: topicLag });
        }
      }
    }
    if (onlyGroup !== undefined && rows.length === 0) {
      throw new NotFoundError(`consumer group ${onlyGroup} does not exist`, { details: { group: onlyGroup } });
    }
    rows.sort((a, b) => a.group.localeCompare(b.group) || a.topic.localeCompare(b.topic));
    if (ctx.globals.json) {
      return ctx.json({
        stream: transport.stream,
        groups: rows.map((r) => ({
          group: r.group,
          topic: r.topic,
          members: r.members,
          lag: r.lag.total,
          partitions: r.lag.partitions,
        })),
      });
    }
    if (rows.length === 0) return ctx.print(`no consumer groups in stream ${transport.stream}`);
    ctx.table(
      [
        { header: 'GROUP' },
        { header: 'TOPIC' },
        { header: 'PARTITION', align: 'right' },
        { header: 'COMMITTED', align: 'right' },
        { header: 'LAST', align: 'right' },
        { header: 'LAG', align: 'right' },
      ],
      rows.flatMap((r) =>
        r.lag.partitions.map((p) => [
          r.group,
          r.topic,
          String(p.partition),
          p.committed === null ? '-' : String(p.committed),
          p.last < 0n ? '-' : String(p.last),
          formatCount(p.lag),
        ]),
      ),
    );
    ctx.print('');
    ctx.table(
      [{ header: 'GROUP' }, { header: 'TOPIC' }, { header: 'MEMBERS', align: 'right' }, { header: 'TOTAL LAG', align: 'right' }],
      rows.map((r) => [r.group, r.topic, String(r.members), formatCount(r.lag.total)]),
    );
  },
};
