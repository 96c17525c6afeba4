import { bytes32, type Codec, empty, identifier, name, optionsToEnd, orNull, struct, u8, u32, u64 } from '../codec';
import { CommandCode } from '../constants';
import { custom, defineCommand } from './command';

/** Topic header (`TopicHeader`, fixed part 50 bytes; spec §8.7). Options stay raw. */
export const topicHeader = struct({
  id: u32,
  createdAt: u64,
  partitionsCount: u32,
  messageExpiry: u64,
  compressionAlgorithm: u8,
  maxTopicSize: u64,
  sizeBytes: u64,
  messagesCount: u64,
  name,
  options: bytes32,
  derivedOptions: bytes32,
});

/** A decoded topic header. */
export type TopicHeader = typeof topicHeader extends Codec<infer T> ? T : never;

/** One partition of a topic (40 bytes). */
export const partitionEntry = struct({
  id: u32,
  createdAt: u64,
  segmentsCount: u32,
  currentOffset: u64,
  sizeBytes: u64,
  messagesCount: u64,
});

/** A decoded partition entry. */
export type PartitionEntry = typeof partitionEntry extends Codec<infer T> ? T : never;

/** A topic with its partitions (GetTopic / CreateTopic response). */
export interface TopicDetails {
  topic: TopicHeader;
  partitions: PartitionEntry[];
}

/** Topic header followed by `partitionsCount` partition entries. */
export const topicDetails: Codec<TopicDetails> = custom(
  (w, v) => {
    topicHeader.write(w, { ...v.topic, partitionsCount: v.partitions.length });
    for (const p of v.partitions) partitionEntry.write(w, p);
  },
  (r) => {
    const topic = topicHeader.read(r);
    const partitions: PartitionEntry[] = [];
    for (let i = 0; i < topic.partitionsCount; i++) partitions.push(partitionEntry.read(r));
    return { topic, partitions };
  },
);

/** CreateTopic (302 → op 132, reply op 64): settings travel as options (spec §8.7). */
export const createTopic = defineCommand(
  'CreateTopic',
  CommandCode.CreateTopic,
  struct({ stream: identifier, partitionsCount: u32, name, options: optionsToEnd }),
  topicDetails,
);

/** GetTopic (300): the topic with its partitions, or null when missing. */
export const getTopic = defineCommand(
  'GetTopic',
  CommandCode.GetTopic,
  struct({ stream: identifier, topic: identifier }),
  orNull(topicDetails),
);

/** GetTopics (301): `[count u32]` then topic headers (a missing stream gives count 0). */
export const getTopics = defineCommand(
  'GetTopics',
  CommandCode.GetTopics,
  struct({ stream: identifier }),
  custom<TopicHeader[]>(
    (w, v) => {
      w.u32(v.length);
      for (const t of v) topicHeader.write(w, t);
    },
    (r) => {
      const count = r.u32('topics count');
      const out: TopicHeader[] = [];
      for (let i = 0; i < count; i++) out.push(topicHeader.read(r));
      return out;
    },
  ),
);

/** DeleteTopic (303 → op 134): empty response. */
export const deleteTopic = defineCommand(
  'DeleteTopic',
  CommandCode.DeleteTopic,
  struct({ stream: identifier, topic: identifier }),
  empty,
);

/** Topic option keys this client sends (spec §8.7). */
export const TopicOptionKey = {
  compression: 'compression_algorithm',
  messageExpiry: 'message_expiry',
  maxTopicSize: 'max_topic_size',
} as const;
