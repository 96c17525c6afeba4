export {
  type EventHeaders,
  HeaderNames,
  readEventHeaders,
} from './codec/headers';
export { messageIdToUuid, uuidToMessageId } from './codec/message-id';
export { AVRO_CONTENT_TYPE, type CodecName, JSON_CONTENT_TYPE } from './codec/types';
export { ENVELOPE_AVRO_SCHEMA } from './codec/avro/envelope-schema';
export {
  ConsumeOptionsSchema,
  type Delivery,
  type DeliveryStream,
  type GroupLag,
  type IggyConsumeOptions,
  type IggySubscribeOptions,
  type PartitionLag,
  type ResetResult,
  type ResetTarget,
  RetryOptionsSchema,
  type StartFrom,
  SubscribeOptionsSchema,
  type TopicLag,
} from './consumer/index';
export {
  DLQ_HEADER_PREFIX,
  DlqHeaders,
  type DlqEntry,
  type DlqEntryDetail,
  type DlqFilter,
  type DlqRedrive,
  type DlqSummary,
  type DeadLetterQueue,
  type RedriveOptions,
  type RedriveReport,
} from './dlq/index';
export { tenantPartition, xxhash32, xxhash32String } from './partitioning/index';
export { type ReplayedEvent, type ReplayOptions, ReplayOptionsSchema } from './replay/index';
export {
  DEFAULT_STREAM,
  DLQ_TOPIC,
  DOMAIN_TOPIC,
  type RouteRule,
  SYSTEM_TOPIC,
} from './routing/index';
export { DEFAULT_TOPICS, type TopicConfig, type TopologyReport } from './topology/index';
export {
  type IggyTransportOptions,
  IggyTransportOptionsSchema,
  type ResolvedIggyTransportOptions,
  TopicOverrideSchema,
} from './transport/options';
export {
  type IggySubscription,
  IggyTransport,
  type IggyTransportSubscribeOptions,
  type LagOptions,
  type ResetOffsetsOptions,
} from './transport/transport';
