import { bytes32, type Codec, empty, identifier, name, optionsToEnd, orNull, struct, u32, u64, untilEnd } from '../codec';
import { CommandCode } from '../constants';
import { custom, defineCommand } from './command';
import { type TopicHeader, topicHeader } from './topics';

/**
 * Stream header (`StreamResponse`, spec §8.6). `options` keeps the raw TLV block: this client
 * sends none and never needs them, and raw bytes never fail to decode.
 */
export const streamHeader = struct({
  id: u32,
  createdAt: u64,
  topicsCount: u32,
  sizeBytes: u64,
  messagesCount: u64,
  name,
  options: bytes32,
});

/** A decoded stream header. */
export type StreamHeader = typeof streamHeader extends Codec<infer T> ? T : never;

/** A stream with its topics (GetStream / CreateStream response). */
export interface StreamDetails {
  stream: StreamHeader;
  topics: TopicHeader[];
}

/** Stream header followed by exactly `topicsCount` topic headers. */
export const streamDetails: Codec<StreamDetails> = custom(
  (w, v) => {
    streamHeader.write(w, { ...v.stream, topicsCount: v.topics.length });
    for (const t of v.topics) topicHeader.write(w, t);
  },
  (r) => {
    const stream = streamHeader.read(r);
    const topics: TopicHeader[] = [];
    for (let i = 0; i < stream.topicsCount; i++) topics.push(topicHeader.read(r));
    return { stream, topics };
  },
);

/** CreateStream (202 → op 128): `[name][options]` → the new stream. */
export const createStream = defineCommand(
  'CreateStream',
  CommandCode.CreateStream,
  struct({ name, options: optionsToEnd }),
  streamDetails,
);

/** GetStream (200): `[stream]` → the stream, or null when missing. */
export const getStream = defineCommand(
  'GetStream',
  CommandCode.GetStream,
  struct({ stream: identifier }),
  orNull(streamDetails),
);

/** GetStreams (201): every stream header, back-to-back. */
export const getStreams = defineCommand(
  'GetStreams',
  CommandCode.GetStreams,
  empty,
  untilEnd(streamHeader),
);

/** DeleteStream (203 → op 130): `[stream]`, empty response. */
export const deleteStream = defineCommand(
  'DeleteStream',
  CommandCode.DeleteStream,
  struct({ stream: identifier }),
  empty,
);
