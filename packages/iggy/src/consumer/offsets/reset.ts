import { ErrorCodes, NotFoundError, RustokError, ValidationError } from '@rustok/core';
import type { Consumer, GroupMembership, IggyConnector } from '@rustok/iggy-connector';
import { lastOffset, offsetAtTimestamp } from './probe';

/** Where `resetGroupOffsets` moves a group: the start, the end, or a broker time (µs). */
export type ResetTarget = 'earliest' | 'latest' | { timestamp: bigint };

/** A partition's group offset after a reset (null: nothing stored, reading starts at 0). */
export interface ResetResult {
  topic: string;
  partition: number;
  committed: bigint | null;
}

function conflict(group: string, topic: string): RustokError {
  return new RustokError(
    ErrorCodes.CONFLICT,
    `consumer group ${group} has active members on ${topic}; stop them before resetting offsets`,
    { details: { group, topic } },
  );
}

/**
 * Moves a group's committed offsets on every partition of `topics`. Allowed only while the
 * group has no active member (`CONFLICT` otherwise); a missing group is created so a new group
 * can be positioned before it first runs. Offsets are stored through a short-lived member.
 */
export async function resetGroupOffsets(
  connector: IggyConnector,
  stream: string,
  topics: readonly string[],
  group: string,
  to: ResetTarget,
): Promise<ResetResult[]> {
  if (typeof to === 'object' && (typeof to.timestamp !== 'bigint' || to.timestamp < 0n)) {
    throw new ValidationError('reset timestamp must be a non-negative bigint (µs)', {
      details: { field: 'timestamp' },
    });
  }
  const partitionsOf = new Map<string, number>();
  for (const topic of topics) {
    const info = await connector.getTopic(stream, topic);
    if (info === null) {
      throw new NotFoundError(`topic ${stream}/${topic} does not exist`, { details: { topic } });
    }
    const existing = await connector.getGroup(stream, topic, group);
    if (existing !== null && existing.members.length > 0) throw conflict(group, topic);
    partitionsOf.set(topic, info.partitions);
  }
  const results: ResetResult[] = [];
  for (const [topic, partitions] of partitionsOf) {
    const member = await connector.joinGroup(stream, topic, group);
    try {
      const info = await connector.getGroup(stream, topic, group);
      if (info !== null && info.members.length > 1) throw conflict(group, topic);
      const consumer: Consumer = { kind: 'group', name: group, member };
      for (let partition = 0; partition < partitions; partition++) {
        const target = await targetOffset(connector, stream, topic, partition, to);
        await place(connector, consumer, stream, topic, partition, target);
        results.push({ topic, partition, committed: target });
      }
    } finally {
      await leaveQuietly(connector, member);
    }
  }
  return results;
}

async function targetOffset(
  connector: IggyConnector,
  stream: string,
  topic: string,
  partition: number,
  to: ResetTarget,
): Promise<bigint | null> {
  if (to === 'earliest') return null;
  const last = await lastOffset(connector, stream, topic, partition);
  if (to !== 'latest') {
    const first = await offsetAtTimestamp(connector, stream, topic, partition, to.timestamp);
    if (first !== null) return first > 0n ? first - 1n : null;
  }
  return last >= 0n ? last : null;
}

async function place(
  connector: IggyConnector,
  consumer: Consumer,
  stream: string,
  topic: string,
  partition: number,
  target: bigint | null,
): Promise<void> {
  if (target !== null) {
    await connector.storeOffset(consumer, stream, topic, partition, target);
  } else if ((await connector.getOffset(consumer, stream, topic, partition)) !== null) {
    await connector.deleteOffset(consumer, stream, topic, partition);
  }
}

async function leaveQuietly(connector: IggyConnector, member: GroupMembership): Promise<void> {
  try {
    await connector.leaveGroup(member);
  } catch {
    // The member is gone either way; a failed leave only delays the group's rebalance.
  }
}
