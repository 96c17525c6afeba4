import type { StreamInfo, TopicInfo, TopicOptions } from '../../types';
import type { Engine } from '../engine';
import { streamNotFound, topicNotFound } from '../errors';
import { toStreamInfo, toTopicInfo } from '../info';
import { layout } from '../layout';
import type { StreamMeta, TopicMeta } from '../metadata/document';
import {
  validateName,
  validateNonNegativeInt,
  validateOffset,
  validatePartitionCount,
} from '../validate';

/** Creates the stream if missing and returns it. */
export function ensureStream(engine: Engine, name: string): Promise<StreamInfo> {
  validateName('stream', name);
  return engine.topology.run(async () => {
    const stream = await engine.metadata.update((doc) => {
      const existing = doc.streams.find((s) => s.name === name);
      if (existing) return { value: existing, changed: false };
      const created: StreamMeta = {
        id: doc.nextStreamId++,
        name,
        createdAtMs: engine.clock.nowMs(),
        nextTopicId: 1,
        topics: [],
      };
      doc.streams.push(created);
      return { value: created, changed: true };
    });
    return toStreamInfo(stream);
  });
}

/** Returns the stream, or null when missing. */
export async function getStream(engine: Engine, name: string): Promise<StreamInfo | null> {
  validateName('stream', name);
  const stream = engine.metadata.stream(name);
  return stream ? toStreamInfo(stream) : null;
}

/** Deletes a stream with its topics, data and offsets (metadata first, files after). */
export function deleteStream(engine: Engine, name: string): Promise<void> {
  validateName('stream', name);
  return engine.topology.run(async () => {
    const stream = engine.metadata.stream(name);
    if (!stream) throw streamNotFound(name);
    await engine.metadata.update((doc) => {
      doc.streams = doc.streams.filter((s) => s.id !== stream.id);
      return { value: undefined, changed: true };
    });
    for (const topic of stream.topics) await engine.closeRuntime(stream.name, topic.name);
    await engine.fs.rm(layout.streamDir(engine.dataDir, stream.id));
  });
}

/** Creates the topic if missing (partitions 0..n-1) and returns it; an existing one as it is. */
export function ensureTopic(
  engine: Engine,
  stream: string,
  name: string,
  options: TopicOptions,
): Promise<TopicInfo> {
  validateName('stream', stream);
  validateName('topic', name);
  const partitions = validatePartitionCount(options?.partitions);
  const expiry =
    options.messageExpiryMs === undefined
      ? 0
      : validateNonNegativeInt(options.messageExpiryMs, 'messageExpiryMs');
  const maxBytes =
    options.maxTopicBytes === undefined ? 0n : validateOffset(options.maxTopicBytes, 'maxTopicBytes');
  return engine.topology.run(async () => {
    if (!engine.metadata.stream(stream)) throw streamNotFound(stream);
    const found = await engine.metadata.update((doc) => {
      const s = doc.streams.find((x) => x.name === stream)!;
      const existing = s.topics.find((t) => t.name === name);
      if (existing) return { value: { stream: s, topic: existing }, changed: false };
      const topic: TopicMeta = {
        id: s.nextTopicId++,
        name,
        partitions,
        messageExpiryMs: expiry === 0 ? null : expiry,
        maxTopicBytes: maxBytes === 0n ? null : maxBytes.toString(),
        createdAtMs: engine.clock.nowMs(),
        nextGroupId: 1,
        groups: [],
      };
      s.topics.push(topic);
      return { value: { stream: s, topic }, changed: true };
    });
    const runtime = await engine.runtime(found.stream, found.topic);
    return toTopicInfo(found.stream, found.topic, runtime);
  });
}

/** Returns the topic, or null when it (or its stream) is missing. */
export async function getTopic(engine: Engine, stream: string, name: string): Promise<TopicInfo | null> {
  validateName('stream', stream);
  validateName('topic', name);
  const found = engine.metadata.topic(stream, name);
  if (!found) return null;
  return toTopicInfo(found.stream, found.topic, await engine.runtime(found.stream, found.topic));
}

/** Lists a stream's topics (`NOT_FOUND` for a missing stream). */
export async function listTopics(engine: Engine, stream: string): Promise<TopicInfo[]> {
  validateName('stream', stream);
  const s = engine.metadata.stream(stream);
  if (!s) throw streamNotFound(stream);
  const result: TopicInfo[] = [];
  for (const topic of [...s.topics]) {
    result.push(toTopicInfo(s, topic, await engine.runtime(s, topic)));
  }
  return result;
}

/** Deletes a topic with its data, offsets and groups (metadata first, files after). */
export function deleteTopic(engine: Engine, stream: string, name: string): Promise<void> {
  validateName('stream', stream);
  validateName('topic', name);
  return engine.topology.run(async () => {
    const found = engine.metadata.topic(stream, name);
    if (!found) throw topicNotFound(stream, name);
    const { stream: s, topic } = found;
    await engine.metadata.update((doc) => {
      const ds = doc.streams.find((x) => x.id === s.id)!;
      ds.topics = ds.topics.filter((t) => t.id !== topic.id);
      return { value: undefined, changed: true };
    });
    await engine.closeRuntime(stream, name);
    await engine.fs.rm(layout.topicDir(engine.dataDir, s.id, topic.id));
  });
}
