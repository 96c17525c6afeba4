import { join } from 'node:path';

/**
 * Where things live inside the data dir:
 * `streams/<streamId>/topics/<topicId>/partitions/<n>/` (segments, see docs/embedded-format.md)
 * and `streams/<streamId>/topics/<topicId>/offsets.log` (stored consumer and group offsets).
 */
export const layout = {
  streamsDir: (dataDir: string): string => join(dataDir, 'streams'),
  streamDir: (dataDir: string, streamId: number): string => join(dataDir, 'streams', String(streamId)),
  topicsDir: (dataDir: string, streamId: number): string =>
    join(dataDir, 'streams', String(streamId), 'topics'),
  topicDir: (dataDir: string, streamId: number, topicId: number): string =>
    join(dataDir, 'streams', String(streamId), 'topics', String(topicId)),
  partitionDir: (dataDir: string, streamId: number, topicId: number, partition: number): string =>
    join(layout.topicDir(dataDir, streamId, topicId), 'partitions', String(partition)),
  offsetsFile: (dataDir: string, streamId: number, topicId: number): string =>
    join(layout.topicDir(dataDir, streamId, topicId), 'offsets.log'),
};
