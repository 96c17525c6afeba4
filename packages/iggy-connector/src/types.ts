import type { HealthStatus } from '@rustok/core';

/** Kinds of a typed user-header value, in Iggy's numbering order (1 Raw … 15 Float64). */
export type HeaderKind =
  | 'raw'
  | 'string'
  | 'bool'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'int128'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'uint128'
  | 'float32'
  | 'float64';

/** A typed user-header value, as Iggy stores it. */
export type HeaderValue =
  | { kind: 'raw'; value: Uint8Array }
  | { kind: 'string'; value: string }
  | { kind: 'bool'; value: boolean }
  | {
      kind: 'int8' | 'int16' | 'int32' | 'uint8' | 'uint16' | 'uint32' | 'float32' | 'float64';
      value: number;
    }
  | { kind: 'int64' | 'int128' | 'uint64' | 'uint128'; value: bigint };

/** User headers of one message, keyed by (string) header name. */
export type MessageHeaders = Record<string, HeaderValue>;

/** A message to append. `id` is a u128; absent or 0n means "mint a random one". */
export interface OutgoingMessage {
  id?: bigint;
  /**
   * The payload bytes, or a string sent as its UTF-8 bytes (the embedded engine writes it
   * straight into its log buffer, with no intermediate `Buffer`).
   */
  payload: Uint8Array | string;
  headers?: MessageHeaders;
}

/** A message read back from a partition. */
export interface PolledMessage {
  id: bigint;
  offset: bigint;
  /** Broker append time, µs since the Unix epoch. */
  timestamp: bigint;
  /** Producer-side time, µs since the Unix epoch. */
  originTimestamp: bigint;
  payload: Buffer;
  /**
   * The decoded user headers, frozen: messages with identical header bytes may share one object.
   * Copy it (`{ ...headers }`) to build headers of a new message.
   */
  headers: MessageHeaders;
  /** Present when the stored header bytes could not be decoded: the raw bytes, never fatal. */
  rawHeaders?: Uint8Array;
}

/** The result of one poll. */
export interface PolledBatch {
  partition: number;
  /** The partition's last offset, or -1n when it holds no message yet. */
  currentOffset: bigint;
  messages: PolledMessage[];
}

/** Where a poll starts. Offsets and timestamps (µs) are inclusive. */
export type PollingStrategy =
  | { kind: 'offset'; value: bigint }
  | { kind: 'timestamp'; value: bigint }
  | { kind: 'first' }
  | { kind: 'last' }
  | { kind: 'next' };

/**
 * Who reads or stores offsets: a standalone consumer (own offsets), or a consumer group.
 * Group polls and offset stores need the caller's `member` (its membership handle); group
 * offset reads do not.
 */
export type Consumer =
  | { kind: 'consumer'; id: string | number }
  | { kind: 'group'; name: string; member?: GroupMembership };

/** Options of one poll. */
export interface PollOptions {
  consumer: Consumer;
  partition: number;
  strategy: PollingStrategy;
  /** Maximum number of messages to return (≥ 1). */
  count: number;
  /** Long-poll: wait up to this many ms for data when nothing is available. */
  waitMs?: number;
  /** Store the last returned offset for `consumer` after the poll. */
  autoCommit?: boolean;
  /** Aborts a long-poll early (resolves with whatever is there, possibly empty). */
  signal?: AbortSignal;
}

/** Options when ensuring a topic. */
export interface TopicOptions {
  partitions: number;
  /** Retention by age; undefined or 0 means never expire. */
  messageExpiryMs?: number;
  /** Retention by size; undefined or 0n means unlimited. */
  maxTopicBytes?: bigint;
}

/** A stream as the connector sees it. */
export interface StreamInfo {
  id: number;
  name: string;
  topicsCount: number;
  createdAt: Date;
}

/** A topic as the connector sees it. */
export interface TopicInfo {
  id: number;
  streamName: string;
  name: string;
  partitions: number;
  messageExpiryMs: number | null;
  maxTopicBytes: bigint | null;
  sizeBytes: bigint;
  messagesCount: bigint;
  createdAt: Date;
}

/** A consumer group and its current members (members are ephemeral). */
export interface GroupInfo {
  id: number;
  name: string;
  partitions: number;
  members: { id: string; partitions: number[] }[];
}

/** Callbacks a group member gets when its assignment changes. */
export interface GroupCallbacks {
  /** Called with newly assigned partitions. */
  onAssign?: (partitions: readonly number[]) => void | Promise<void>;
  /**
   * Called before partitions are taken away; the member finishes and commits in-flight work
   * and the move happens only after this resolves (remote servers force it after a timeout).
   * `info.sessionLost` is true when the member's session ended (remote: a lost connection):
   * the partitions may already belong to another member, so finishing queued work only
   * duplicates it, and offsets can no longer be stored under the old session.
   */
  onRevoke?: (partitions: readonly number[], info?: RevokeInfo) => void | Promise<void>;
}

/** Why partitions are revoked (second argument of `onRevoke`). */
export interface RevokeInfo {
  /** The member's session ended; it re-joins as a new member afterwards. */
  sessionLost: boolean;
}

/** One member of a consumer group (one `joinGroup` call). */
export interface GroupMembership {
  readonly stream: string;
  readonly topic: string;
  readonly group: string;
  readonly memberId: string;
  /** Partitions this member currently owns (sorted). */
  assignment(): readonly number[];
  /** True until the member leaves or its session is lost. */
  readonly active: boolean;
}

/** Result of a send. */
export interface SendResult {
  /** Offset of the first message of the batch. */
  baseOffset: bigint;
}

/** Connector health. */
export interface ConnectorHealth {
  status: HealthStatus;
  mode: 'embedded' | 'remote';
  connected: boolean;
  /** Remote: version reported by the server; embedded: the engine version. */
  serverVersion?: string;
  protocol?: string;
  /** Embedded: the data directory. Remote: the address in use. */
  location?: string;
  /** Problems that need attention (e.g. `CORRUPT_RECORD` on a partition). */
  problems: { code: string; message: string; details?: Record<string, unknown> }[];
  lastError?: { code: string; message: string; at: Date };
}

/** The one interface both connectors (embedded and remote) implement. */
export interface IggyConnector {
  readonly mode: 'embedded' | 'remote';
  /** Opens the data dir or connects and logs in. Idempotent. */
  connect(): Promise<void>;
  /** Flushes, leaves groups, and releases files or sockets. Idempotent. */
  close(): Promise<void>;
  /** Reports health without throwing. */
  health(): Promise<ConnectorHealth>;

  /** Creates the stream if missing and returns it. */
  ensureStream(name: string): Promise<StreamInfo>;
  /** Returns the stream, or null when missing. */
  getStream(name: string): Promise<StreamInfo | null>;
  /** Deletes a stream and everything in it. */
  deleteStream(name: string): Promise<void>;
  /** Creates the topic if missing and returns it (an existing topic is returned as it is). */
  ensureTopic(stream: string, name: string, options: TopicOptions): Promise<TopicInfo>;
  /** Returns the topic, or null when missing. */
  getTopic(stream: string, name: string): Promise<TopicInfo | null>;
  /** Lists a stream's topics. */
  listTopics(stream: string): Promise<TopicInfo[]>;
  /** Deletes a topic and its data. */
  deleteTopic(stream: string, name: string): Promise<void>;

  /** Appends messages to one partition atomically, in order. */
  send(
    stream: string,
    topic: string,
    partition: number,
    messages: readonly OutgoingMessage[],
  ): Promise<SendResult>;
  /** Reads messages from one partition. Past the end returns an empty batch. */
  poll(stream: string, topic: string, options: PollOptions): Promise<PolledBatch>;

  /** Stores "this offset and everything before it are processed". */
  storeOffset(
    consumer: Consumer,
    stream: string,
    topic: string,
    partition: number,
    offset: bigint,
  ): Promise<void>;
  /** Returns the stored offset, or null when nothing is stored. */
  getOffset(
    consumer: Consumer,
    stream: string,
    topic: string,
    partition: number,
  ): Promise<bigint | null>;
  /** Removes a stored offset (the next `next` poll starts from 0). */
  deleteOffset(consumer: Consumer, stream: string, topic: string, partition: number): Promise<void>;

  /** Creates the group if missing (names and offsets are persistent). */
  ensureGroup(stream: string, topic: string, group: string): Promise<GroupInfo>;
  /** Returns the group, or null when missing. */
  getGroup(stream: string, topic: string, group: string): Promise<GroupInfo | null>;
  /** Lists a topic's groups. */
  listGroups(stream: string, topic: string): Promise<GroupInfo[]>;
  /** Joins as one new member (creating the group if missing). */
  joinGroup(
    stream: string,
    topic: string,
    group: string,
    callbacks?: GroupCallbacks,
  ): Promise<GroupMembership>;
  /** Leaves the group; this member's partitions are rebalanced to the others. */
  leaveGroup(membership: GroupMembership): Promise<void>;
}
