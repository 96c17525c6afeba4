export type { BatchLimits, QueueBounds, QueuedMessage } from './partition-queue';
export {
  DEFAULT_BATCH_LIMITS,
  DEFAULT_QUEUE_BOUNDS,
  type PartitionBatch,
  Publisher,
  type PublisherOptions,
  type QueueFullPolicy,
} from './publisher';
