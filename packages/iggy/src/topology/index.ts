export {
  DEFAULT_TOPICS,
  type EnsureTopologyOptions,
  ensureTopology,
  resolveTopics,
  type TopicConfig,
  type TopicConfigInput,
  TopicConfigSchema,
  type TopologyReport,
} from './topology';
