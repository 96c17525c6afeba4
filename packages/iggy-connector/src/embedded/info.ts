import type { GroupInfo, StreamInfo, TopicInfo } from '../types';
import type { GroupCoordinator } from './groups/group-coordinator';
import type { GroupMeta, StreamMeta, TopicMeta } from './metadata/document';
import type { TopicRuntime } from './topic-runtime';

/** Builds the public view of a stream. */
export function toStreamInfo(stream: StreamMeta): StreamInfo {
  return {
    id: stream.id,
    name: stream.name,
    topicsCount: stream.topics.length,
    createdAt: new Date(stream.createdAtMs),
  };
}

/** Builds the public view of a topic; sizes and counts come from its open partition logs. */
export function toTopicInfo(stream: StreamMeta, topic: TopicMeta, runtime: TopicRuntime): TopicInfo {
  let sizeBytes = 0n;
  let messagesCount = 0n;
  for (const log of runtime.logs) {
    sizeBytes += BigInt(log.sizeBytes());
    messagesCount += log.nextOffset - log.firstOffset;
  }
  return {
    id: topic.id,
    streamName: stream.name,
    name: topic.name,
    partitions: topic.partitions,
    messageExpiryMs: topic.messageExpiryMs,
    maxTopicBytes: topic.maxTopicBytes === null ? null : BigInt(topic.maxTopicBytes),
    sizeBytes,
    messagesCount,
    createdAt: new Date(topic.createdAtMs),
  };
}

/** Builds the public view of a group: persistent name and id, ephemeral members. */
export function toGroupInfo(
  topic: TopicMeta,
  group: GroupMeta,
  coordinator: GroupCoordinator | undefined,
): GroupInfo {
  return {
    id: group.id,
    name: group.name,
    partitions: topic.partitions,
    members: (coordinator?.members() ?? []).map((m) => ({
      id: m.memberId,
      partitions: [...m.assignment()],
    })),
  };
}
