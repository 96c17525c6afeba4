import { NotFoundError } from '@rustok/core';
import type { IggyConnector } from '@rustok/iggy-connector';
import { lastOffset } from './probe';

/** Lag of one group on one partition. */
export interface PartitionLag {
  partition: number;
  /** The group's stored offset, or null when it has none. */
  committed: bigint | null;
  /** The partition's last offset (-1n when empty). */
  last: bigint;
  /** Messages after the committed offset. */
  lag: bigint;
}

/** Lag of one group on one topic. */
export interface TopicLag {
  topic: string;
  partitions: PartitionLag[];
  total: bigint;
}

/** Lag of one group over the topics asked for. */
export interface GroupLag {
  group: string;
  topics: TopicLag[];
  total: bigint;
}

/**
 * Reads a group's committed offset and the last offset of every partition of `topics`. Topics
 * where the group does not exist are left out; `NOT_FOUND` when it exists on none of them.
 */
export async function computeLag(
  connector: IggyConnector,
  stream: string,
  topics: readonly string[],
  group: string,
): Promise<GroupLag> {
  const result: GroupLag = { group, topics: [], total: 0n };
  for (const topic of topics) {
    const info = await connector.getTopic(stream, topic);
    if (info === null) continue;
    if ((await connector.getGroup(stream, topic, group)) === null) continue;
    const topicLag: TopicLag = { topic, partitions: [], total: 0n };
    for (let partition = 0; partition < info.partitions; partition++) {
      const [committed, last] = await Promise.all([
        connector.getOffset({ kind: 'group', name: group }, stream, topic, partition),
        lastOffset(connector, stream, topic, partition),
      ]);
      const behind = last - (committed ?? -1n);
      const lag = behind > 0n ? behind : 0n;
      topicLag.partitions.push({ partition, committed, last, lag });
      topicLag.total += lag;
    }
    result.topics.push(topicLag);
    result.total += topicLag.total;
  }
  if (result.topics.length === 0) {
    throw new NotFoundError(`consumer group ${group} does not exist on ${topics.join(', ')}`, {
      details: { stream, group, topics: [...topics] },
    });
  }
  return result;
}
