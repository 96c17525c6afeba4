import type { PartitionLog, SegmentInfo } from '../log/types';

/** Retention rules of one topic; an absent or zero value disables a rule. */
export interface RetentionPolicy {
  /** Delete closed segments whose newest record is older than this (ms). */
  maxAgeMs?: number;
  /** Delete the oldest closed segments across the topic's partitions until it fits. */
  maxTopicBytes?: bigint;
}

/** What one retention pass removed. */
export interface RetentionResult {
  deletedSegments: number;
  deletedBytes: number;
}

/** Deletes the first `count` segments of `log` (all closed); returns how many bytes went. */
async function deleteOldest(log: PartitionLog, segments: readonly SegmentInfo[], count: number): Promise<RetentionResult> {
  const keep = segments[count];
  if (count === 0 || keep === undefined) return { deletedSegments: 0, deletedBytes: 0 };
  const deleted = await log.deleteSegmentsBefore(keep.baseOffset);
  let bytes = 0;
  for (let i = 0; i < deleted; i++) bytes += (segments[i] as SegmentInfo).sizeBytes;
  return { deletedSegments: deleted, deletedBytes: bytes };
}

/**
 * Applies a topic's retention to its partitions, deleting whole closed segments only (the
 * active segment always stays): first by age — leading segments whose newest record is older
 * than `maxAgeMs` before `nowMs` — then by size — the oldest closed segment across all
 * partitions (by newest record time) until the topic's total size is within `maxTopicBytes`.
 */
export async function applyRetention(
  partitions: readonly PartitionLog[],
  policy: RetentionPolicy,
  nowMs: number,
): Promise<RetentionResult> {
  const result: RetentionResult = { deletedSegments: 0, deletedBytes: 0 };
  const add = (r: RetentionResult) => {
    result.deletedSegments += r.deletedSegments;
    result.deletedBytes += r.deletedBytes;
  };

  if (policy.maxAgeMs !== undefined && policy.maxAgeMs > 0) {
    const cutoffMicros = BigInt(Math.floor(nowMs - policy.maxAgeMs)) * 1000n;
    for (const log of partitions) {
      const segments = log.segments();
      let count = 0;
      while (count < segments.length - 1) {
        const segment = segments[count] as SegmentInfo;
        if (!segment.closed || (segment.maxTimestamp !== null && segment.maxTimestamp >= cutoffMicros)) break;
        count++;
      }
      add(await deleteOldest(log, segments, count));
    }
  }

  if (policy.maxTopicBytes !== undefined && policy.maxTopicBytes > 0n) {
    let total = 0n;
    for (const log of partitions) total += BigInt(log.sizeBytes());
    while (total > policy.maxTopicBytes) {
      let victim: { log: PartitionLog; segments: readonly SegmentInfo[]; age: bigint } | null = null;
      for (const log of partitions) {
        const segments = log.segments();
        const oldest = segments[0];
        if (oldest === undefined || !oldest.closed || segments.length < 2) continue;
        const age = oldest.maxTimestamp ?? -1n;
        if (victim === null || age < victim.age) victim = { log, segments, age };
      }
      if (victim === null) break;
      const removed = await deleteOldest(victim.log, victim.segments, 1);
      if (removed.deletedSegments === 0) break;
      add(removed);
      total -= BigInt(removed.deletedBytes);
    }
  }
  return result;
}
