import type { TopicMeta } from './metadata/document';
import { applyRetention } from './retention/retention';
import type { TopicRuntime } from './topic-runtime';

/** What one maintenance pass removed. */
export interface MaintenanceResult {
  deletedSegments: number;
  deletedBytes: number;
}

/**
 * One maintenance pass over a topic: roll every partition's active segment that is older than
 * `segmentMaxAgeMs` (so quiet topics expire too), then apply the topic's retention (age and size;
 * whole closed segments only).
 */
export async function maintainTopic(
  runtime: TopicRuntime,
  topic: TopicMeta,
  nowMs: number,
): Promise<MaintenanceResult> {
  for (const log of runtime.logs) await log.maybeRoll();
  const maxAgeMs = topic.messageExpiryMs ?? undefined;
  const maxTopicBytes = topic.maxTopicBytes === null ? undefined : BigInt(topic.maxTopicBytes);
  if (maxAgeMs === undefined && maxTopicBytes === undefined) {
    return { deletedSegments: 0, deletedBytes: 0 };
  }
  return applyRetention(runtime.logs, { maxAgeMs, maxTopicBytes }, nowMs);
}
