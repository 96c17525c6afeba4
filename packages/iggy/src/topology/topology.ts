import { RustokError } from '@rustok/core';
import type { IggyConnector } from '@rustok/iggy-connector';
import { z } from 'zod';
import { DLQ_TOPIC, DOMAIN_TOPIC, SYSTEM_TOPIC } from '../routing/router';

const DAY_MS = 24 * 60 * 60 * 1000;
const GiB = 1024n * 1024n * 1024n;

/** Settings of one topic. `messageExpiryMs`/`maxTopicBytes` 0 or absent mean unlimited. */
export const TopicConfigSchema = z.object({
  partitions: z.number().int().min(1).max(100_000).default(8),
  messageExpiryMs: z.number().int().min(0).optional(),
  maxTopicBytes: z.bigint().min(0n).optional(),
});

/** Settings of one topic, defaults applied. */
export type TopicConfig = z.infer<typeof TopicConfigSchema>;
/** Settings of one topic as a user writes them. */
export type TopicConfigInput = z.input<typeof TopicConfigSchema>;

/** DESIGN defaults: `domain` 30 days + 10 GiB, `system` 7 days, `dlq` 365 days; 8 partitions. */
export const DEFAULT_TOPICS: Readonly<Record<string, TopicConfig>> = Object.freeze({
  [DOMAIN_TOPIC]: { partitions: 8, messageExpiryMs: 30 * DAY_MS, maxTopicBytes: 10n * GiB },
  [SYSTEM_TOPIC]: { partitions: 8, messageExpiryMs: 7 * DAY_MS },
  [DLQ_TOPIC]: { partitions: 8, messageExpiryMs: 365 * DAY_MS },
});

/** Merges user topic settings over the defaults (per field). */
export function resolveTopics(
  input: Readonly<Record<string, TopicConfigInput>> = {},
): Record<string, TopicConfig> {
  const out: Record<string, TopicConfig> = {};
  for (const [name, defaults] of Object.entries(DEFAULT_TOPICS)) out[name] = { ...defaults };
  for (const [name, config] of Object.entries(input)) {
    out[name] = TopicConfigSchema.parse({ ...(out[name] ?? {}), ...config });
  }
  return out;
}

/** The outcome of ensuring the topology, kept for `health()`. */
export interface TopologyReport {
  stream: string;
  /** Per topic: the partition count in use and the configured one. */
  topics: Record<string, { partitions: number; configured: number; created: boolean }>;
  /** Topics whose existing partition count differs from the configuration. */
  mismatches: string[];
  checkedAt: Date;
}

/** Options of `ensureTopology`. */
export interface EnsureTopologyOptions {
  /** Use an existing topic's partition count instead of failing on a mismatch. */
  useExistingPartitionCount?: boolean;
}

/**
 * Ensures the stream and every configured topic exist. An existing topic with a different
 * partition count is `TOPOLOGY_MISMATCH` (tenant placement would change) unless
 * `useExistingPartitionCount` is set, in which case the existing count is used.
 */
export async function ensureTopology(
  connector: IggyConnector,
  stream: string,
  topics: Readonly<Record<string, TopicConfig>>,
  options: EnsureTopologyOptions = {},
): Promise<TopologyReport> {
  await connector.ensureStream(stream);
  const report: TopologyReport = { stream, topics: {}, mismatches: [], checkedAt: new Date() };
  for (const [name, config] of Object.entries(topics)) {
    const existing = await connector.getTopic(stream, name);
    const info =
      existing ??
      (await connector.ensureTopic(stream, name, {
        partitions: config.partitions,
        ...(config.messageExpiryMs === undefined ? {} : { messageExpiryMs: config.messageExpiryMs }),
        ...(config.maxTopicBytes === undefined ? {} : { maxTopicBytes: config.maxTopicBytes }),
      }));
    report.topics[name] = {
      partitions: info.partitions,
      configured: config.partitions,
      created: existing === null,
    };
    if (info.partitions !== config.partitions) report.mismatches.push(name);
  }
  if (report.mismatches.length > 0 && !options.useExistingPartitionCount) {
    const list = report.mismatches
      .map((t) => `${t} has ${report.topics[t]!.partitions}, configured ${report.topics[t]!.configured}`)
      .join('; ');
    throw new RustokError(
      'TOPOLOGY_MISMATCH',
      `existing topics in stream ${stream} differ from the configuration (${list}); tenant placement would change. ` +
        'Fix the configuration or pass useExistingPartitionCount: true.',
      { details: { stream, topics: report.topics, mismatches: report.mismatches } },
    );
  }
  return report;
}
