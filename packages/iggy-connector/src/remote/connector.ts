import {
  ClosedError,
  ErrorCodes,
  hasErrorCode,
  isRustokError,
  type Logger,
  type Metrics,
  noopLogger,
  noopMetrics,
  RustokError,
  safeLogger,
  safeMetrics,
  ValidationError,
} from '@rustok/core';
import { decodeHeaders, headerBytesForSend } from '../headers/codec';
import type {
  Consumer,
  ConnectorHealth,
  GroupCallbacks,
  GroupInfo,
  GroupMembership,
  IggyConnector,
  OutgoingMessage,
  PolledBatch,
  PolledMessage,
  PollOptions,
  SendResult,
  StreamInfo,
  TopicInfo,
  TopicOptions,
} from '../types';
import { IggyClient } from './connection/client';
import type { IggyClientOptionsInput } from './connection/options';
import { checkIndex, checkName, checkOffset, toGroupInfo, toStreamInfo, toTopicInfo } from './convert';
import { RemoteMembership } from './membership';
import { parseOptions } from './parse-options';
import {
  type RemoteConnectorHooks,
  type RemoteConnectorOptions,
  type RemoteConnectorOptionsInput,
  RemoteConnectorOptionsSchema,
} from './options';
import type { Identifier, Options, WireConsumer, WireStrategy } from './wire/codec';
import {
  ACK_QUORUM,
  BATCH_HEADER_SIZE,
  createConsumerGroup,
  createStream,
  createTopic,
  deleteConsumerOffset,
  deleteStream,
  deleteTopic,
  encodeSendMessagesFrame,
  FRAME_HEADER_SIZE,
  getConsumerGroup,
  getConsumerGroups,
  getConsumerOffset,
  getStream,
  getTopic,
  getTopics,
  joinConsumerGroup,
  leaveConsumerGroup,
  pollMessagesFlat,
  type SendItem,
  sendMessages,
  storeConsumerOffset,
  type WireCommand,
  type WirePolledMessage,
} from './wire/commands/index';
import { HEADER_SIZE, NOT_OWNED_PARTITION } from './wire/constants';
import { IggyCode, protocolError } from './wire/errors';
import { CLIENT_PROTOCOL, formatVersion } from './wire/version';

/** Largest partition count per topic (Iggy's per-request limit). */
const MAX_PARTITIONS = 1000;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const U128_LIMIT = 1n << 128n;
/** Room for the SendMessages metadata in front of the batch (two names + partitioning + count). */
const SEND_METADATA_MAX = 4 + 2 * 257 + 6 + 4;
const EMPTY = new Uint8Array(0);
/** Frames kept for reuse between sends: big enough that reuse pays, small enough to hold idle. */
const SPARE_FRAME_MIN = 64 * 1024;
const SPARE_FRAME_MAX = 16 * MiB;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Topic options for CreateTopic: expiry (µs) and size, plus a segment size the size cap admits. */
function topicOptions(options: TopicOptions): Options {
  const out: Options = {};
  if (options.messageExpiryMs !== undefined && options.messageExpiryMs > 0) {
    out.message_expiry = { kind: 'uint64', value: BigInt(options.messageExpiryMs) * 1000n };
  }
  const max = options.maxTopicBytes;
  if (max !== undefined && max > 0n) {
    out.max_topic_size = { kind: 'uint64', value: max };
    // The server refuses a size cap below one segment (1 GiB by default): use smaller segments,
    // a quarter of the cap, 512-byte aligned, within Iggy's 1 MiB..64 MiB here.
    if (max < BigInt(GiB)) {
      const quarter = Number(max / 4n);
      const segment = Math.min(64 * MiB, Math.max(MiB, quarter - (quarter % 512)));
      out.segment_size = { kind: 'uint64', value: BigInt(segment) };
    }
  }
  return out;
}

/**
 * `IggyConnector` over Iggy's TCP binary protocol (VSR protocol 0.11, Iggy server 0.9.x). A
 * shared connection serves topology, publishing and plain reads; every group member owns a
 * dedicated connection (its own login, sync, polls, offset stores and heartbeats), because
 * group membership is bound to one session's client id. `ensure*` treats "already exists" as
 * success and reads the resource back.
 */
export class RemoteConnector implements IggyConnector, AsyncDisposable {
  readonly mode = 'remote' as const;
  readonly #options: RemoteConnectorOptions;
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  readonly #shared: IggyClient;
  readonly #members = new Set<RemoteMembership>();
  #closed = false;
  /** A frame buffer kept between sends (sends that overlap allocate their own). */
  #spareFrame: Buffer | undefined;
  #connectedOnce = false;

  /** Creates the connector; nothing is dialled until `connect()`. */
  constructor(options: RemoteConnectorOptionsInput, hooks: RemoteConnectorHooks = {}) {
    this.#options = parseOptions(RemoteConnectorOptionsSchema, options, 'remote connector options');
    if (!this.#options.password && !this.#options.token) {
      throw new ValidationError('remote mode needs a password or a token', { details: { field: 'password' } });
    }
    this.#logger = safeLogger(hooks.logger ?? noopLogger);
    this.#metrics = safeMetrics(hooks.metrics ?? noopMetrics);
    this.#shared = this.#newClient('shared');
  }

  /**
   * Options for one more connection (the shared one or a member's). A member's connection logs
   * its lost session out after a reconnect, so a restarted server drops the old membership.
   */
  #clientOptions(label: string, member: boolean): IggyClientOptionsInput {
    const o = this.#options;
    return {
      addresses: o.addresses,
      credentials: o.token
        ? { kind: 'token', token: o.token }
        : { kind: 'password', username: o.username, password: o.password as NonNullable<typeof o.password> },
      ...(o.tls ? { tls: o.tls } : {}),
      requestTimeoutMs: o.requestTimeoutMs,
      heartbeatIntervalMs: o.heartbeatIntervalMs,
      reconnect: { ...o.reconnect, enabled: true },
      maxFrameBytes: o.maxFrameBytes,
      releaseLostSession: member,
      label,
    };
  }

  #newClient(label: string, member = false): IggyClient {
    return new IggyClient(this.#clientOptions(label, member), { logger: this.#logger, metrics: this.#metrics });
  }

  /** Connects and logs in the shared connection. Idempotent. */
  async connect(): Promise<void> {
    this.#open();
    await this.#shared.connect();
    if (!this.#connectedOnce) {
      this.#connectedOnce = true;
      const server = this.#shared.server;
      this.#logger.info('remote Iggy connector connected', {
        address: server?.address,
        serverVersion: server?.serverVersion,
        protocol: server?.protocol,
      });
    }
  }

  /** Drops every member (its session ends, so the server rebalances) and closes. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const members = [...this.#members];
    this.#members.clear();
    await Promise.all(members.map((m) => m.leave().catch(() => {})));
    await this.#shared.close();
  }

  /** Same as `close()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Reports connection state, server version and protocol; never throws. */
  async health(): Promise<ConnectorHealth> {
    const server = this.#shared.server;
    const connected = this.#shared.connected;
    const problems: ConnectorHealth['problems'] = [];
    for (const m of this.#members) {
      if (m.active && !m.client.connected) {
        problems.push({
          code: ErrorCodes.CONNECTION,
          message: `group member of ${m.stream}/${m.topic}/${m.group} is reconnecting`,
          details: { stream: m.stream, topic: m.topic, group: m.group, memberId: m.memberId },
        });
      }
    }
    const last = this.#shared.lastError;
    return {
      status: this.#closed || !connected ? 'unhealthy' : problems.length > 0 ? 'degraded' : 'healthy',
      mode: 'remote',
      connected,
      ...(server ? { serverVersion: server.serverVersion, protocol: server.protocol } : {}),
      ...(server ? {} : { protocol: formatVersion(CLIENT_PROTOCOL) }),
      location: server?.address ?? this.#options.addresses.join(','),
      problems,
      ...(last ? { lastError: { code: last.code, message: last.message, at: new Date() } } : {}),
    };
  }

  // ── topology ─────────────────────────────────────────────────────────────

  /** Creates the stream if missing and returns it ("already exists" is success). */
  async ensureStream(name: string): Promise<StreamInfo> {
    checkName('stream', name);
    const existing = await this.getStream(name);
    if (existing) return existing;
    try {
      const created = await this.#call(createStream, { name, options: {} });
      return toStreamInfo(created.stream);
    } catch (error) {
      if (!hasErrorCode(error, ErrorCodes.ALREADY_EXISTS)) throw error;
      return this.#mustExist(await this.getStream(name), `stream ${name}`);
    }
  }

  /** Returns the stream, or null when missing. */
  async getStream(name: string): Promise<StreamInfo | null> {
    checkName('stream', name);
    const details = await this.#call(getStream, { stream: name });
    return details ? toStreamInfo(details.stream) : null;
  }

  /** Deletes a stream (`NOT_FOUND` when missing). */
  async deleteStream(name: string): Promise<void> {
    checkName('stream', name);
    await this.#call(deleteStream, { stream: name });
  }

  /** Creates the topic if missing and returns it; an existing topic is returned as it is. */
  async ensureTopic(stream: string, name: string, options: TopicOptions): Promise<TopicInfo> {
    checkName('stream', stream);
    checkName('topic', name);
    const partitions = options?.partitions;
    if (typeof partitions !== 'number' || !Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
      throw new ValidationError(`partitions must be an integer in 1..${MAX_PARTITIONS}`, {
        details: { field: 'partitions' },
      });
    }
    const expiry = options.messageExpiryMs;
    if (expiry !== undefined && (!Number.isSafeInteger(expiry) || expiry < 0)) {
      throw new ValidationError('messageExpiryMs must be a non-negative integer', { details: { field: 'messageExpiryMs' } });
    }
    if (options.maxTopicBytes !== undefined) checkOffset('maxTopicBytes', options.maxTopicBytes);
    const existing = await this.getTopic(stream, name);
    if (existing) return existing;
    try {
      const created = await this.#call(createTopic, {
        stream,
        partitionsCount: partitions,
        name,
        options: topicOptions(options),
      });
      return toTopicInfo(stream, created.topic);
    } catch (error) {
      if (!hasErrorCode(error, ErrorCodes.ALREADY_EXISTS)) throw error;
      return this.#mustExist(await this.getTopic(stream, name), `topic ${stream}/${name}`);
    }
  }

  /** Returns the topic, or null when it (or its stream) is missing. */
  async getTopic(stream: string, name: string): Promise<TopicInfo | null> {
    checkName('stream', stream);
    checkName('topic', name);
    const details = await this.#call(getTopic, { stream, topic: name });
    return details ? toTopicInfo(stream, details.topic) : null;
  }

  /** Lists a stream's topics (`NOT_FOUND` for a missing stream). */
  async listTopics(stream: string): Promise<TopicInfo[]> {
    checkName('stream', stream);
    const headers = await this.#call(getTopics, { stream });
    // A missing stream reads as an empty list on the wire.
    if (headers.length === 0 && !(await this.getStream(stream))) throw this.#notFound(`stream ${stream}`);
    return headers.map((h) => toTopicInfo(stream, h));
  }

  /** Deletes a topic (`NOT_FOUND` when missing). */
  async deleteTopic(stream: string, name: string): Promise<void> {
    checkName('stream', stream);
    checkName('topic', name);
    await this.#call(deleteTopic, { stream, topic: name });
  }

  // ── messages ─────────────────────────────────────────────────────────────

  /** Appends messages to one partition in one batch (one buffer per batch, payloads copied once). */
  async send(stream: string, topic: string, partition: number, messages: readonly OutgoingMessage[]): Promise<SendResult> {
    checkName('stream', stream);
    checkName('topic', topic);
    checkIndex('partition', partition);
    if (!Array.isArray(messages) || messages.length === 0) {
      throw new ValidationError('send needs at least one message', { details: { field: 'messages' } });
    }
    const items: SendItem[] = new Array(messages.length);
    let size = HEADER_SIZE + SEND_METADATA_MAX + BATCH_HEADER_SIZE;
    for (let i = 0; i < messages.length; i++) {
      const item = this.#item(messages[i]!, i);
      size += FRAME_HEADER_SIZE + item.payload.byteLength + item.headers.byteLength;
      items[i] = item;
    }
    if (size > this.#options.maxFrameBytes) {
      throw new ValidationError(`the batch takes ${size} bytes, more than the ${this.#options.maxFrameBytes}-byte frame limit`, {
        details: { field: 'messages', size },
      });
    }
    const spare = this.#spareFrame;
    this.#spareFrame = undefined;
    const frame = encodeSendMessagesFrame(stream, topic, partition, BigInt(Date.now()) * 1000n, items, spare);
    this.#open();
    const confirmations = await this.#shared.callFrame(sendMessages, frame);
    // Answered, so the server has read the whole frame and its buffer is free again. (A failed
    // send drops it: the socket may still hold a reference.)
    const backing = spare && spare.length >= frame.length ? spare : frame;
    if (backing.length >= SPARE_FRAME_MIN && backing.length <= SPARE_FRAME_MAX) this.#spareFrame = backing;
    const first = confirmations[0];
    if (!first) throw protocolError('SendMessages reply carries no confirmation');
    this.#metrics.observe('iggy.remote.send_batch', messages.length, { topic });
    return { baseOffset: first.baseOffset };
  }

  #item(message: OutgoingMessage, index: number): SendItem {
    const given = typeof message === 'object' && message !== null ? message.payload : undefined;
    if (!(given instanceof Uint8Array) && typeof given !== 'string') {
      throw new ValidationError(`messages[${index}]: payload must be a Uint8Array or a string`, { details: { field: `messages[${index}]` } });
    }
    // A string payload is sent as its UTF-8 bytes.
    const payload = typeof given === 'string' ? Buffer.from(given, 'utf8') : given;
    const length = payload.byteLength;
    if (length === 0 || length > this.#options.maxPayloadBytes) {
      throw new ValidationError(`messages[${index}]: payload must be 1..${this.#options.maxPayloadBytes} bytes, got ${length}`, {
        details: { field: `messages[${index}]`, bytes: length },
      });
    }
    const id = message.id ?? 0n;
    if (typeof id !== 'bigint' || id < 0n || id >= U128_LIMIT) {
      throw new ValidationError(`messages[${index}]: id must be a bigint in 0..2^128-1`, { details: { field: `messages[${index}]` } });
    }
    return { id, payload, headers: message.headers ? headerBytesForSend(message.headers) : EMPTY };
  }

  /**
   * Reads from one partition. Group polls go over the member's own connection and need a member
   * that owns the partition (`PARTITION_NOT_OWNED` otherwise). `waitMs` polls again every
   * `longPollIntervalMs` until data arrives, the wait ends, or `signal` aborts.
   */
  async poll(stream: string, topic: string, options: PollOptions): Promise<PolledBatch> {
    checkName('stream', stream);
    checkName('topic', topic);
    const partition = checkIndex('partition', options?.partition);
    const count = options.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 0xffff_ffff) {
      throw new ValidationError('count must be an integer ≥ 1', { details: { field: 'count' } });
    }
    const strategy = this.#strategy(options.strategy);
    const waitMs = options.waitMs ?? 0;
    if (!Number.isSafeInteger(waitMs) || waitMs < 0) {
      throw new ValidationError('waitMs must be a non-negative integer', { details: { field: 'waitMs' } });
    }
    const { client, consumer, member } = this.#reader(options.consumer, stream, topic);
    if (member && !member.active) throw this.#notOwned(member, partition);
    const request = { consumer, stream, topic, partition, strategy, count, autoCommit: options.autoCommit === true };
    const deadline = Date.now() + waitMs;
    for (;;) {
      const reply = member
        ? await this.#asMember(member, partition, () => client.call(pollMessagesFlat, request))
        : await client.call(pollMessagesFlat, request);
      if (member && reply.partitionId === NOT_OWNED_PARTITION) {
        member.sync().catch(() => {});
        throw this.#notOwned(member, partition);
      }
      const messages = reply.messages;
      const remaining = deadline - Date.now();
      if (messages.length > 0 || remaining <= 0 || options.signal?.aborted) {
        return {
          partition,
          currentOffset: await this.#currentOffset(stream, topic, partition, reply.currentOffset, messages.length),
          messages: messages.map(toPolledMessage),
        };
      }
      await sleep(Math.min(this.#options.longPollIntervalMs, remaining), options.signal);
    }
  }

  /** The wire's current offset, or -1n for a partition that has never held a message. */
  async #currentOffset(stream: string, topic: string, partition: number, current: bigint, returned: number): Promise<bigint> {
    if (returned > 0 || current > 0n) return current;
    // Offset 0 is ambiguous on the wire (empty, or one message at 0): ask the partition.
    const details = await this.#call(getTopic, { stream, topic });
    const entry = details?.partitions.find((p) => p.id === partition);
    return entry && entry.messagesCount === 0n && entry.currentOffset === 0n ? -1n : current;
  }

  #strategy(strategy: PollOptions['strategy']): WireStrategy {
    switch (strategy?.kind) {
      case 'offset':
        return { kind: 'offset', value: checkOffset('strategy.value', strategy.value) };
      case 'timestamp':
        return { kind: 'timestamp', value: checkOffset('strategy.value', strategy.value) };
      case 'first':
      case 'last':
      case 'next':
        return { kind: strategy.kind, value: 0n };
      default:
        throw new ValidationError('unknown polling strategy', { details: { field: 'strategy' } });
    }
  }

  // ── offsets ──────────────────────────────────────────────────────────────

  /** Stores an offset; a group member stores over its own session, an idle group via a brief one. */
  async storeOffset(consumer: Consumer, stream: string, topic: string, partition: number, offset: bigint): Promise<void> {
    checkName('stream', stream);
    checkName('topic', topic);
    checkIndex('partition', partition);
    checkOffset('offset', offset);
    await this.#writeOffset(consumer, stream, topic, partition, (client, wire) =>
      client.call(storeConsumerOffset, { consumer: wire, stream, topic, partition, offset, ack: ACK_QUORUM }),
    );
  }

  /** Removes a stored offset. */
  async deleteOffset(consumer: Consumer, stream: string, topic: string, partition: number): Promise<void> {
    checkName('stream', stream);
    checkName('topic', topic);
    checkIndex('partition', partition);
    await this.#writeOffset(consumer, stream, topic, partition, (client, wire) =>
      client.call(deleteConsumerOffset, { consumer: wire, stream, topic, partition, ack: ACK_QUORUM }),
    );
  }

  /** Returns the stored offset, or null (`NOT_FOUND` for a missing group, topic or partition). */
  async getOffset(consumer: Consumer, stream: string, topic: string, partition: number): Promise<bigint | null> {
    checkName('stream', stream);
    checkName('topic', topic);
    checkIndex('partition', partition);
    const wire = this.#wireConsumer(consumer);
    const info = await this.#call(getConsumerOffset, { consumer: wire, stream, topic, partition });
    if (info) return info.storedOffset;
    // Nothing stored reads as empty, also for a missing group, topic or partition: tell them apart.
    const details = await this.#call(getTopic, { stream, topic });
    if (!details) throw this.#notFound(`topic ${stream}/${topic}`);
    if (partition >= details.topic.partitionsCount) throw this.#notFound(`partition ${partition} of ${stream}/${topic}`);
    if (consumer.kind === 'group' && !(await this.#call(getConsumerGroup, { stream, topic, group: consumer.name }))) {
      throw this.#notFound(`consumer group ${consumer.name} of ${stream}/${topic}`);
    }
    return null;
  }

  async #writeOffset(
    consumer: Consumer,
    stream: string,
    topic: string,
    partition: number,
    write: (client: IggyClient, wire: WireConsumer) => Promise<void>,
  ): Promise<void> {
    const wire = this.#wireConsumer(consumer);
    if (consumer.kind !== 'group') {
      await write(this.#shared, wire);
      return;
    }
    if (consumer.member !== undefined) {
      const member = this.#ownMember(consumer.member);
      if (!member.active || member.group !== consumer.name || member.stream !== stream || member.topic !== topic) {
        throw this.#notOwned(member, partition);
      }
      await this.#asMember(member, partition, () => write(member.client, wire));
      return;
    }
    // No member given: allowed only while the group has no active member (offset resets).
    const group = await this.#call(getConsumerGroup, { stream, topic, group: consumer.name });
    if (!group) throw this.#notFound(`consumer group ${consumer.name} of ${stream}/${topic}`);
    if (group.group.membersCount > 0) {
      throw new ValidationError(`group ${consumer.name} has active members: its offsets are stored by the owning member`, {
        details: { field: 'consumer.member', group: consumer.name },
      });
    }
    // The server accepts group offset writes only from a member: join briefly on a fresh session.
    const client = this.#newClient(`offset-reset:${consumer.name}`);
    try {
      await client.connect();
      const target = { stream, topic, group: consumer.name };
      await client.call(joinConsumerGroup, target);
      try {
        await write(client, wire);
      } finally {
        await client.call(leaveConsumerGroup, target).catch(() => {});
      }
    } finally {
      await client.close();
    }
  }

  /** Runs a member's partition-scoped write, turning "not a member / not owned" into PARTITION_NOT_OWNED. */
  async #asMember<T>(member: RemoteMembership, partition: number, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const code = isRustokError(error) ? error.iggyCode : undefined;
      if (
        code === IggyCode.ConsumerGroupPartitionNotOwned ||
        code === IggyCode.ConsumerGroupMemberNotFound ||
        code === IggyCode.ResourceNotFound ||
        code === IggyCode.InvalidIdentifier
      ) {
        member.sync().catch(() => {});
        throw this.#notOwned(member, partition, error);
      }
      throw error;
    }
  }

  // ── consumer groups ──────────────────────────────────────────────────────

  /** Creates the group if missing ("already exists" is success). */
  async ensureGroup(stream: string, topic: string, group: string): Promise<GroupInfo> {
    checkName('stream', stream);
    checkName('topic', topic);
    checkName('group', group);
    const existing = await this.getGroup(stream, topic, group);
    if (existing) return existing;
    try {
      return toGroupInfo(await this.#call(createConsumerGroup, { stream, topic, name: group }));
    } catch (error) {
      if (!hasErrorCode(error, ErrorCodes.ALREADY_EXISTS)) throw error;
      return this.#mustExist(await this.getGroup(stream, topic, group), `consumer group ${group}`);
    }
  }

  /** Returns the group with its members, or null when missing. */
  async getGroup(stream: string, topic: string, group: string): Promise<GroupInfo | null> {
    checkName('stream', stream);
    checkName('topic', topic);
    checkName('group', group);
    const details = await this.#call(getConsumerGroup, { stream, topic, group });
    return details ? toGroupInfo(details) : null;
  }

  /** Lists a topic's groups (`NOT_FOUND` for a missing stream or topic). */
  async listGroups(stream: string, topic: string): Promise<GroupInfo[]> {
    checkName('stream', stream);
    checkName('topic', topic);
    return (await this.#call(getConsumerGroups, { stream, topic })).map(toGroupInfo);
  }

  /** Joins as one new member on its own connection (creating the group if missing). */
  async joinGroup(stream: string, topic: string, group: string, callbacks: GroupCallbacks = {}): Promise<GroupMembership> {
    this.#open();
    await this.ensureGroup(stream, topic, group);
    const member = new RemoteMembership({
      owner: this,
      stream,
      topic,
      group,
      client: this.#newClient(`member:${group}`, true),
      callbacks,
      syncIntervalMs: this.#options.groupSyncIntervalMs,
      logger: this.#logger,
    });
    try {
      await member.start();
    } catch (error) {
      await member.dispose();
      throw error;
    }
    this.#members.add(member);
    this.#logger.debug('consumer group member joined', { stream, topic, group, memberId: member.memberId });
    return member;
  }

  /** Leaves the group and closes the member's connection. */
  async leaveGroup(membership: GroupMembership): Promise<void> {
    const member = this.#ownMember(membership);
    this.#members.delete(member);
    await member.leave();
  }

  // ── helpers ──────────────────────────────────────────────────────────────

  #open(): void {
    if (this.#closed) throw new ClosedError('the remote connector is closed');
  }

  /** A call on the shared connection (connecting first when needed). */
  #call<Req, Res>(command: WireCommand<Req, Res>, args: Req): Promise<Res> {
    this.#open();
    return this.#shared.call(command, args);
  }

  /** The connection, wire consumer and member a read uses. */
  #reader(consumer: Consumer, stream: string, topic: string): { client: IggyClient; consumer: WireConsumer; member?: RemoteMembership } {
    const wire = this.#wireConsumer(consumer);
    if (consumer.kind !== 'group') return { client: this.#shared, consumer: wire };
    if (consumer.member === undefined) {
      throw new ValidationError('a group poll needs the polling member', { details: { field: 'consumer.member' } });
    }
    const member = this.#ownMember(consumer.member);
    if (member.group !== consumer.name || member.stream !== stream || member.topic !== topic) {
      throw new ValidationError('the member belongs to another group, stream or topic', {
        details: { field: 'consumer.member' },
      });
    }
    return { client: member.client, consumer: wire, member };
  }

  #wireConsumer(consumer: Consumer): WireConsumer {
    if (consumer?.kind === 'group') return { kind: 'group', id: checkName('group', consumer.name) };
    if (consumer?.kind === 'consumer') {
      const id: Identifier = typeof consumer.id === 'number' ? checkIndex('consumer id', consumer.id) : checkName('consumer', consumer.id);
      return { kind: 'consumer', id };
    }
    throw new ValidationError('consumer must be { kind: "consumer" } or { kind: "group" }', {
      details: { field: 'consumer' },
    });
  }

  #ownMember(membership: GroupMembership): RemoteMembership {
    if (!(membership instanceof RemoteMembership) || membership.owner !== this) {
      throw new ValidationError('membership does not belong to this connector', { details: { field: 'member' } });
    }
    return membership;
  }

  #notOwned(member: RemoteMembership, partition: number, cause?: unknown): RustokError {
    return new RustokError(
      ErrorCodes.PARTITION_NOT_OWNED,
      `member ${member.memberId} of group ${member.group} does not own ${member.stream}/${member.topic} partition ${partition}`,
      {
        ...(cause === undefined ? {} : { cause }),
        ...(isRustokError(cause) && cause.iggyCode !== undefined ? { iggyCode: cause.iggyCode } : {}),
        details: { stream: member.stream, topic: member.topic, group: member.group, partition, memberId: member.memberId },
      },
    );
  }

  #notFound(what: string): RustokError {
    return new RustokError(ErrorCodes.NOT_FOUND, `${what} does not exist`, { details: { what } });
  }

  #mustExist<T>(value: T | null, what: string): T {
    if (value === null) throw protocolError(`${what} was reported to exist but cannot be read`);
    return value;
  }
}

/** A wire message as a `PolledMessage`; undecodable user headers are exposed raw, never fatal. */
function toPolledMessage(m: WirePolledMessage): PolledMessage {
  const { id, offset, timestamp, originTimestamp, payload } = m;
  if (m.headers.byteLength === 0) return { id, offset, timestamp, originTimestamp, payload, headers: {} };
  try {
    return { id, offset, timestamp, originTimestamp, payload, headers: decodeHeaders(m.headers) };
  } catch {
    return { id, offset, timestamp, originTimestamp, payload, headers: {}, rawHeaders: new Uint8Array(m.headers) };
  }
}
