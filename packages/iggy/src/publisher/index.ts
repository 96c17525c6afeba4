export type { BatchLimits, QueuedMessage } from './partition-queue';
export {
  DEFAULT_BATCH_LIMITS,
  type PartitionBatch,
  Publisher,
  type PublisherOptions,
} from './publisher';
