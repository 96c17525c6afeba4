export type { GroupConsumer } from './engine/group-consumer';
export { DEAD_LETTERED, HANDLER_FAILED, TENANT_PARKED } from './engine/outcome';
export { startGroupConsumer } from './engine/start-group-consumer';
export { consumeGroup, type DeliveryStream } from './iterator/consume-group';
export type { Delivery } from './iterator/delivery';
export { computeLag, type GroupLag, type PartitionLag, type TopicLag } from './offsets/lag';
export { type ResetResult, type ResetTarget, resetGroupOffsets } from './offsets/reset';
export {
  ConsumeOptionsSchema,
  type IggyConsumeOptions,
  type IggySubscribeOptions,
  type ResolvedConsumeOptions,
  type ResolvedSubscribeOptions,
  RetryOptionsSchema,
  type StartFrom,
  StartFromSchema,
  SubscribeOptionsSchema,
} from './options';
export type { ConsumerDeps, DeadLetterInput } from './types';
