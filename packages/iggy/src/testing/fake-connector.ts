import { NotFoundError, RustokError } from '@rustok/core';
import {
  type Consumer,
  type ConnectorHealth,
  type GroupInfo,
  type GroupMembership,
  type IggyConnector,
  type OutgoingMessage,
  type PolledBatch,
  type PolledMessage,
  type PollOptions,
  type SendResult,
  type StreamInfo,
  type TopicInfo,
  type TopicOptions,
  encodeHeaders,
} from '@rustok/iggy-connector';

interface FakeTopic {
  info: TopicInfo;
  partitions: PolledMessage[][];
}

/** One recorded `send` call. */
export interface SendCall {
  stream: string;
  topic: string;
  partition: number;
  messages: readonly OutgoingMessage[];
}

function unsupported(name: string): never {
  throw new RustokError('UNSUPPORTED', `FakeConnector does not implement ${name}`);
}

/**
 * A small in-memory `IggyConnector` for unit tests: streams, topics, partitioned logs with
 * offsets and µs timestamps, standalone-consumer polls and offsets, and hooks to hold or fail
 * sends. Group membership is not implemented (the real engine is used for that).
 */
export class FakeConnector implements IggyConnector {
  readonly mode = 'embedded' as const;
  readonly sends: SendCall[] = [];
  readonly polls: { topic: string; options: PollOptions }[] = [];
  readonly stored: { consumer: Consumer; topic: string; partition: number; offset: bigint }[] = [];
  readonly groups = new Map<string, GroupInfo>();
  connected = false;
  /** Broker clock in µs; each appended message advances it by 1 µs. */
  nowMicros = 1_700_000_000_000_000n;
  /** When set, the next send calls await it before appending (to hold a send in flight). */
  gate: Promise<void> | undefined;
  /** When set, the next send rejects with it (then it is cleared). */
  failNextSend: Error | undefined;
  health_: ConnectorHealth = { status: 'healthy', mode: 'embedded', connected: true, problems: [] };
  readonly #streams = new Map<string, StreamInfo>();
  readonly #topics = new Map<string, FakeTopic>();

  /** Marks the fake connected. */
  async connect(): Promise<void> {
    this.connected = true;
  }

  /** Marks the fake closed. */
  async close(): Promise<void> {
    this.connected = false;
  }

  /** Returns the configurable health. */
  async health(): Promise<ConnectorHealth> {
    return { ...this.health_, connected: this.connected };
  }

  /** Creates the stream if missing. */
  async ensureStream(name: string): Promise<StreamInfo> {
    let info = this.#streams.get(name);
    if (!info) {
      info = { id: this.#streams.size + 1, name, topicsCount: 0, createdAt: new Date() };
      this.#streams.set(name, info);
    }
    return info;
  }

  /** Returns the stream or null. */
  async getStream(name: string): Promise<StreamInfo | null> {
    return this.#streams.get(name) ?? null;
  }

  /** Not needed by the tests. */
  async deleteStream(): Promise<void> {
    unsupported('deleteStream');
  }

  /** Creates the topic if missing; an existing topic is returned unchanged. */
  async ensureTopic(stream: string, name: string, options: TopicOptions): Promise<TopicInfo> {
    const existing = this.#topics.get(`${stream}/${name}`);
    if (existing) return existing.info;
    if (!this.#streams.has(stream)) throw new NotFoundError(`stream ${stream} not found`);
    const info: TopicInfo = {
      id: this.#topics.size + 1,
      streamName: stream,
      name,
      partitions: options.partitions,
      messageExpiryMs: options.messageExpiryMs ?? null,
      maxTopicBytes: options.maxTopicBytes ?? null,
      sizeBytes: 0n,
      messagesCount: 0n,
      createdAt: new Date(),
    };
    this.#topics.set(`${stream}/${name}`, {
      info,
      partitions: Array.from({ length: options.partitions }, () => []),
    });
    return info;
  }

  /** Returns the topic or null. */
  async getTopic(stream: string, name: string): Promise<TopicInfo | null> {
    return this.#topics.get(`${stream}/${name}`)?.info ?? null;
  }

  /** Lists the stream's topics. */
  async listTopics(stream: string): Promise<TopicInfo[]> {
    return [...this.#topics.values()].filter((t) => t.info.streamName === stream).map((t) => t.info);
  }

  /** Not needed by the tests. */
  async deleteTopic(): Promise<void> {
    unsupported('deleteTopic');
  }

  #topic(stream: string, topic: string): FakeTopic {
    const t = this.#topics.get(`${stream}/${topic}`);
    if (!t) throw new NotFoundError(`topic ${stream}/${topic} not found`);
    return t;
  }

  #log(stream: string, topic: string, partition: number): PolledMessage[] {
    const log = this.#topic(stream, topic).partitions[partition];
    if (!log) throw new NotFoundError(`partition ${partition} of ${topic} not found`);
    return log;
  }

  /** Appends messages (honouring `gate` and `failNextSend`). */
  async send(
    stream: string,
    topic: string,
    partition: number,
    messages: readonly OutgoingMessage[],
  ): Promise<SendResult> {
    this.sends.push({ stream, topic, partition, messages: [...messages] });
    const gate = this.gate;
    if (gate) await gate;
    const failure = this.failNextSend;
    if (failure) {
      this.failNextSend = undefined;
      throw failure;
    }
    // Like a real broker, refuse headers Iggy cannot store (sizes, kinds) before appending anything.
    for (const m of messages) if (m.headers) encodeHeaders(m.headers);
    const log = this.#log(stream, topic, partition);
    const baseOffset = BigInt(log.length);
    for (const m of messages) {
      this.nowMicros += 1n;
      log.push({
        id: m.id ?? 0n,
        offset: BigInt(log.length),
        timestamp: this.nowMicros,
        originTimestamp: this.nowMicros,
        payload: Buffer.from(m.payload),
        headers: { ...(m.headers ?? {}) },
      });
    }
    return { baseOffset };
  }

  /** Reads from a partition (offset, timestamp, first, last, next). */
  async poll(stream: string, topic: string, options: PollOptions): Promise<PolledBatch> {
    this.polls.push({ topic, options });
    const log = this.#log(stream, topic, options.partition);
    let start = 0;
    const s = options.strategy;
    if (s.kind === 'offset') start = Number(s.value);
    else if (s.kind === 'timestamp') {
      start = log.findIndex((m) => m.timestamp >= s.value);
      if (start < 0) start = log.length;
    } else if (s.kind === 'last') start = Math.max(0, log.length - options.count);
    else if (s.kind === 'next') {
      const stored = await this.getOffset(options.consumer, stream, topic, options.partition);
      start = stored === null ? 0 : Number(stored) + 1;
    }
    return {
      partition: options.partition,
      currentOffset: BigInt(log.length - 1),
      messages: log.slice(start, start + options.count),
    };
  }

  /** Records the stored offset. */
  async storeOffset(
    consumer: Consumer,
    _stream: string,
    topic: string,
    partition: number,
    offset: bigint,
  ): Promise<void> {
    this.stored.push({ consumer, topic, partition, offset });
  }

  /** Returns the last stored offset for the consumer, or null. */
  async getOffset(
    consumer: Consumer,
    _stream: string,
    topic: string,
    partition: number,
  ): Promise<bigint | null> {
    const key = consumer.kind === 'group' ? consumer.name : String(consumer.id);
    const hits = this.stored.filter(
      (s) =>
        s.topic === topic &&
        s.partition === partition &&
        (s.consumer.kind === 'group' ? s.consumer.name : String(s.consumer.id)) === key,
    );
    return hits.at(-1)?.offset ?? null;
  }

  /** Not needed by the tests. */
  async deleteOffset(): Promise<void> {
    unsupported('deleteOffset');
  }

  /** Registers a group name. */
  async ensureGroup(stream: string, topic: string, group: string): Promise<GroupInfo> {
    const key = `${stream}/${topic}/${group}`;
    let info = this.groups.get(key);
    if (!info) {
      info = { id: this.groups.size + 1, name: group, partitions: this.#topic(stream, topic).info.partitions, members: [] };
      this.groups.set(key, info);
    }
    return info;
  }

  /** Returns a registered group or null. */
  async getGroup(stream: string, topic: string, group: string): Promise<GroupInfo | null> {
    return this.groups.get(`${stream}/${topic}/${group}`) ?? null;
  }

  /** Lists registered groups of a topic. */
  async listGroups(stream: string, topic: string): Promise<GroupInfo[]> {
    const prefix = `${stream}/${topic}/`;
    return [...this.groups.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v);
  }

  /** Not implemented: group membership is tested against the real engine. */
  async joinGroup(): Promise<GroupMembership> {
    return unsupported('joinGroup');
  }

  /** Not implemented: group membership is tested against the real engine. */
  async leaveGroup(): Promise<void> {
    unsupported('leaveGroup');
  }

  /** All messages of a partition (test inspection). */
  messages(stream: string, topic: string, partition: number): readonly PolledMessage[] {
    return this.#log(stream, topic, partition);
  }
}

/** A promise with its resolve function, to hold a fake send in flight. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
