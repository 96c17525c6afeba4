import { ValidationError } from '@rustok/core';
import type { Consumer, GroupMembership } from '../../types';
import type { Engine } from '../engine';
import { groupNotFound, partitionNotOwned } from '../errors';
import { EmbeddedMembership } from '../groups/membership';
import type { TopicMeta } from '../metadata/document';
import type { TopicRuntime } from '../topic-runtime';

/** Where an offset operation applies. */
export interface PartitionRef {
  stream: string;
  topic: string;
  partition: number;
}

/** The membership as this engine's own member (`VALIDATION` for a foreign one). */
export function ownMember(engine: Engine, membership: GroupMembership): EmbeddedMembership {
  if (!(membership instanceof EmbeddedMembership) || membership.owner !== engine) {
    throw new ValidationError('membership does not belong to this connector', {
      details: { field: 'member' },
    });
  }
  return membership;
}

/** `NOT_FOUND` unless the topic has a consumer group named `group`. */
export function assertGroupExists(ref: PartitionRef, topicMeta: TopicMeta, group: string): void {
  if (!topicMeta.groups.some((g) => g.name === group)) {
    throw groupNotFound(ref.stream, ref.topic, group);
  }
}

/** For a group consumer with a member: that member must be ours, active, and own the partition. */
export function assertOwner(
  engine: Engine,
  consumer: Consumer,
  runtime: TopicRuntime,
  ref: PartitionRef,
): void {
  if (consumer.kind !== 'group' || consumer.member === undefined) return;
  const member = ownMember(engine, consumer.member);
  const sameGroup =
    member.stream === ref.stream && member.topic === ref.topic && member.group === consumer.name;
  if (!sameGroup || !member.owns(ref.partition) || runtime.closed.signal.aborted) {
    throw partitionNotOwned({ ...ref, group: consumer.name }, member.memberId);
  }
}

/**
 * Who may store or delete a group offset: the member owning the partition or, while the group
 * has no active member (offset resets), a caller without a member. Standalone consumers always.
 */
export function assertCanWriteOffset(
  engine: Engine,
  consumer: Consumer,
  runtime: TopicRuntime,
  topicMeta: TopicMeta,
  ref: PartitionRef,
): void {
  if (consumer.kind !== 'group') return;
  assertGroupExists(ref, topicMeta, consumer.name);
  if (consumer.member !== undefined) {
    assertOwner(engine, consumer, runtime, ref);
    return;
  }
  const active = runtime.existingCoordinator(consumer.name)?.members().length ?? 0;
  if (active > 0) {
    throw new ValidationError(
      `group ${consumer.name} has active members: its offsets are stored by the owning member`,
      { details: { field: 'consumer.member', group: consumer.name } },
    );
  }
}
