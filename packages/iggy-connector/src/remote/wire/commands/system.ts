import { type Codec, counted, empty, f32, string32, struct, u8, u16, u32, u64 } from '../codec';
import { CommandCode } from '../constants';
import { defineCommand } from './command';

/** Ping (code 1): empty request, empty response; allowed before login. */
export const ping = defineCommand('Ping', CommandCode.Ping, empty, empty);

const cacheMetric = struct({
  streamId: u32,
  topicId: u32,
  partitionId: u32,
  hits: u64,
  misses: u64,
  hitRatio: f32,
});

const statsCodec = struct({
  processId: u32,
  cpuUsage: f32,
  totalCpuUsage: f32,
  memoryUsage: u64,
  totalMemory: u64,
  availableMemory: u64,
  runTime: u64,
  startTime: u64,
  readBytes: u64,
  writtenBytes: u64,
  messagesSizeBytes: u64,
  streamsCount: u32,
  topicsCount: u32,
  partitionsCount: u32,
  segmentsCount: u32,
  messagesCount: u64,
  clientsCount: u32,
  consumerGroupsCount: u32,
  hostname: string32,
  osName: string32,
  osVersion: string32,
  kernelVersion: string32,
  serverVersion: string32,
  serverSemver: u32,
  cacheMetrics: counted(cacheMetric),
  threadsCount: u32,
  freeDiskSpace: u64,
  totalDiskSpace: u64,
});

/** Server statistics (GetStats response, spec §8.2). */
export type Stats = typeof statsCodec extends Codec<infer T> ? T : never;

/** GetStats (code 10). */
export const getStats = defineCommand('GetStats', CommandCode.GetStats, empty, statsCodec);

const clientGroup = struct({ streamId: u32, topicId: u32, groupId: u32 });

const clientDetails = struct({
  clientId: u32,
  userId: u32,
  transport: u8,
  address: string32,
  consumerGroups: counted(clientGroup),
});

/** Details of one connected client (GetMe / GetClient response, spec §8.3). */
export type ClientDetails = typeof clientDetails extends Codec<infer T> ? T : never;

/** GetMe (code 20): this connection's client as the server sees it. */
export const getMe = defineCommand('GetMe', CommandCode.GetMe, empty, clientDetails);

const clusterNode = struct({
  name: string32,
  ip: string32,
  tcpPort: u16,
  quicPort: u16,
  httpPort: u16,
  websocketPort: u16,
  role: u8,
  status: u8,
});

const clusterMetadata = struct({ name: string32, nodes: counted(clusterNode) });

/** One node of the cluster (role 0 = leader; status 0 = healthy). */
export type ClusterNode = typeof clusterNode extends Codec<infer T> ? T : never;
/** Cluster metadata (spec §8.5). */
export type ClusterMetadata = typeof clusterMetadata extends Codec<infer T> ? T : never;

/** Node role byte: leader. */
export const NODE_ROLE_LEADER = 0;
/** Node status byte: healthy. */
export const NODE_STATUS_HEALTHY = 0;

/** GetClusterMetadata (code 12). */
export const getClusterMetadata = defineCommand(
  'GetClusterMetadata',
  CommandCode.GetClusterMetadata,
  empty,
  clusterMetadata,
);
