import * as commands from '../commands/index';
import type { WireCommand } from '../commands/index';

const bytes = (s: string) => new Uint8Array(Buffer.from(s));

const streamHeader = {
  id: 3,
  createdAt: 1_700_000_000_000_000n,
  topicsCount: 1,
  sizeBytes: 1234n,
  messagesCount: 5n,
  name: 'rustok',
  options: new Uint8Array(0),
};

const topicHeader = {
  id: 0,
  createdAt: 1_700_000_000_000_001n,
  partitionsCount: 2,
  messageExpiry: 60_000_000n,
  compressionAlgorithm: 1,
  maxTopicSize: 1n << 30n,
  sizeBytes: 99n,
  messagesCount: 4n,
  name: 'domain',
  options: new Uint8Array([2, 1, 0, 0, 0, 120, 9, 1, 0, 0, 0, 1]),
  derivedOptions: new Uint8Array(0),
};

const partition = (id: number) => ({
  id,
  createdAt: 7n,
  segmentsCount: 1,
  currentOffset: 3n,
  sizeBytes: 10n,
  messagesCount: 4n,
});

const batch = {
  partitionId: 1n,
  baseOffset: 10n,
  baseTimestamp: 1_700_000_000_000_000n,
  originTimestamp: 1_699_999_999_999_000n,
  frames: [
    { id: 1n << 100n, offsetDelta: 0, timestampDelta: 0, payload: bytes('a'), headers: new Uint8Array(0) },
    { id: 2n, offsetDelta: 1, timestampDelta: 9, payload: bytes('bb'), headers: bytes('hh') },
  ],
};

const target = { stream: 'rustok', topic: 7, group: 'billing' };

/** One or more sample requests and responses per command (round-trip and fuzz tests). */
export const samples: [WireCommand<unknown, unknown>, unknown, unknown][] = [
  [commands.ping, undefined, undefined],
  [
    commands.getStats,
    undefined,
    {
      processId: 1,
      cpuUsage: 0.5,
      totalCpuUsage: 1.5,
      memoryUsage: 2n,
      totalMemory: 3n,
      availableMemory: 4n,
      runTime: 5n,
      startTime: 6n,
      readBytes: 7n,
      writtenBytes: 8n,
      messagesSizeBytes: 9n,
      streamsCount: 10,
      topicsCount: 11,
      partitionsCount: 12,
      segmentsCount: 13,
      messagesCount: 14n,
      clientsCount: 15,
      consumerGroupsCount: 16,
      hostname: 'host',
      osName: 'Linux',
      osVersion: '6',
      kernelVersion: '6.1',
      serverVersion: '0.9.0',
      serverSemver: 9216,
      cacheMetrics: [{ streamId: 1, topicId: 2, partitionId: 3, hits: 4n, misses: 5n, hitRatio: 0.25 }],
      threadsCount: 8,
      freeDiskSpace: 100n,
      totalDiskSpace: 200n,
    },
  ],
  [
    commands.getMe,
    undefined,
    {
      clientId: 4,
      userId: 0,
      transport: 1,
      address: '127.0.0.1:5555',
      consumerGroups: [{ streamId: 1, topicId: 2, groupId: 3 }],
    },
  ],
  [
    commands.getClusterMetadata,
    undefined,
    {
      name: 'single-node',
      nodes: [
        {
          name: 'iggy-node',
          ip: '127.0.0.1',
          tcpPort: 8090,
          quicPort: 8080,
          httpPort: 3000,
          websocketPort: 8092,
          role: 0,
          status: 0,
        },
      ],
    },
  ],
  [
    commands.loginRegister,
    {
      protocolVersion: 11264,
      sdkName: 'ts',
      sdkVersion: '1',
      username: 'user',
      password: bytes('secret'),
      context: new Uint8Array(0),
    },
    { userId: 1, session: 99n, serverProtocol: 11264, serverVersion: '0.9.0' },
  ],
  [
    commands.loginRegisterWithPat,
    { protocolVersion: 11264, sdkName: 'ts', sdkVersion: '1', token: bytes('tok'), context: bytes('ctx') },
    { userId: 2, session: 100n, serverProtocol: 11265, serverVersion: '0.9.1' },
  ],
  [commands.logout, undefined, undefined],
  [
    commands.createStream,
    { name: 'rustok', options: {} },
    { stream: { ...streamHeader, topicsCount: 0 }, topics: [] },
  ],
  [commands.getStream, { stream: 'rustok' }, { stream: streamHeader, topics: [topicHeader] }],
  [commands.getStream, { stream: 0 }, null],
  [commands.getStreams, undefined, [streamHeader, { ...streamHeader, id: 4, name: 'other' }]],
  [commands.deleteStream, { stream: 'rustok' }, undefined],
  [
    commands.createTopic,
    {
      stream: 'rustok',
      partitionsCount: 2,
      name: 'domain',
      options: { message_expiry: { kind: 'uint64', value: 5n }, max_topic_size: { kind: 'uint64', value: 9n } },
    },
    { topic: topicHeader, partitions: [partition(0), partition(1)] },
  ],
  [commands.getTopic, { stream: 'rustok', topic: 'domain' }, { topic: topicHeader, partitions: [partition(0), partition(1)] }],
  [commands.getTopic, { stream: 1, topic: 2 }, null],
  [commands.getTopics, { stream: 'rustok' }, [topicHeader, { ...topicHeader, id: 1, name: 'dlq' }]],
  [commands.getTopics, { stream: 'rustok' }, []],
  [commands.deleteTopic, { stream: 'rustok', topic: 'domain' }, undefined],
  [commands.createPartitions, { stream: 'rustok', topic: 'domain', partitionsCount: 3 }, undefined],
  [commands.deletePartitions, { stream: 1, topic: 'domain', partitionsCount: 1 }, undefined],
  [
    commands.sendMessages,
    { stream: 'rustok', topic: 'domain', partitioning: { kind: 'partition', id: 3 }, batch: { ...batch, partitionId: 0n, baseOffset: 0n, baseTimestamp: 0n } },
    [{ streamId: 1, topicId: 2, partitionId: 3, baseOffset: 42n }],
  ],
  [
    commands.sendMessages,
    { stream: 1, topic: 2, partitioning: { kind: 'key', key: bytes('tenant') }, batch: { ...batch, partitionId: 0n, baseOffset: 0n, baseTimestamp: 0n } },
    [],
  ],
  [
    commands.pollMessages,
    {
      consumer: { kind: 'group', id: 'billing' },
      stream: 'rustok',
      topic: 'domain',
      partition: 2,
      strategy: { kind: 'timestamp', value: 123n },
      count: 50,
      autoCommit: true,
    },
    { partitionId: 1, currentOffset: 11n, messagesCount: 2, batches: [batch, { ...batch, baseOffset: 12n }] },
  ],
  [
    commands.pollMessages,
    {
      consumer: { kind: 'consumer', id: 0 },
      stream: 0,
      topic: 0,
      partition: null,
      strategy: { kind: 'next', value: 0n },
      count: 1,
      autoCommit: false,
    },
    { partitionId: 0, currentOffset: 0n, messagesCount: 0, batches: [] },
  ],
  [
    commands.pollMessagesFlat,
    {
      consumer: { kind: 'consumer', id: 'c-1' },
      stream: 'rustok',
      topic: 'domain',
      partition: 1,
      strategy: { kind: 'offset', value: 10n },
      count: 2,
      autoCommit: false,
    },
    {
      partitionId: 1,
      currentOffset: 11n,
      messagesCount: 2,
      messages: [
        { id: 1n, offset: 10n, timestamp: 5_000n, originTimestamp: 4_000n, payload: Buffer.from('p'), headers: Buffer.alloc(0) },
        { id: 2n << 70n, offset: 11n, timestamp: 5_001n, originTimestamp: 4_001n, payload: Buffer.from('q'), headers: Buffer.from('h') },
      ],
    },
  ],
  [
    commands.getConsumerOffset,
    { consumer: { kind: 'consumer', id: 'c-1' }, stream: 'rustok', topic: 'domain', partition: 0 },
    { partitionId: 0, currentOffset: 5n, storedOffset: 2n },
  ],
  [commands.getConsumerOffset, { consumer: { kind: 'group', id: 1 }, stream: 1, topic: 1, partition: null }, null],
  [
    commands.storeConsumerOffset,
    { consumer: { kind: 'consumer', id: 'c-1' }, stream: 'rustok', topic: 'domain', partition: 4, offset: 9n, ack: 1 },
    undefined,
  ],
  [
    commands.deleteConsumerOffset,
    { consumer: { kind: 'group', id: 'g' }, stream: 'rustok', topic: 'domain', partition: 4, ack: 1 },
    undefined,
  ],
  [
    commands.createConsumerGroup,
    { stream: 'rustok', topic: 'domain', name: 'billing' },
    { group: { id: 0, partitionsCount: 8, membersCount: 0, name: 'billing' }, members: [] },
  ],
  [
    commands.getConsumerGroup,
    target,
    {
      group: { id: 1, partitionsCount: 3, membersCount: 2, name: 'billing' },
      members: [
        { memberId: 1, partitions: [0, 2] },
        { memberId: 2, partitions: [1] },
      ],
    },
  ],
  [commands.getConsumerGroup, target, null],
  [
    commands.getConsumerGroups,
    { stream: 'rustok', topic: 'domain' },
    [
      { id: 0, partitionsCount: 3, membersCount: 0, name: 'a' },
      { id: 1, partitionsCount: 3, membersCount: 1, name: 'b' },
    ],
  ],
  [commands.joinConsumerGroup, target, undefined],
  [commands.leaveConsumerGroup, target, undefined],
  [commands.deleteConsumerGroup, target, undefined],
  [commands.syncConsumerGroup, target, { generation: 7n, partitions: [0, 3] }],
  [commands.syncConsumerGroup, target, null],
  [commands.createPersonalAccessToken, { name: 'ci', expiry: 0n }, { token: bytes('the-token') }],
  [commands.deletePersonalAccessToken, { name: 'ci' }, undefined],
];

