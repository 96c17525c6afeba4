import { randomUUID } from 'node:crypto';
import type { GroupCallbacks, GroupInfo, GroupMembership } from '../../types';
import type { Engine } from '../engine';
import { topicNotFound } from '../errors';
import { EmbeddedMembership } from '../groups/membership';
import { toGroupInfo } from '../info';
import type { GroupMeta, TopicMeta } from '../metadata/document';
import { validateName } from '../validate';
import { ownMember } from './ownership';

function checkNames(stream: string, topic: string, group?: string): void {
  validateName('stream', stream);
  validateName('topic', topic);
  if (group !== undefined) validateName('group', group);
}

/** Persists the group name if missing; returns its metadata. */
function ensureGroupMeta(engine: Engine, stream: string, topicMeta: TopicMeta, group: string): Promise<GroupMeta> {
  const existing = topicMeta.groups.find((g) => g.name === group);
  if (existing) return Promise.resolve(existing);
  return engine.topology.run(() =>
    engine.metadata.update((doc) => {
      const topic = doc.streams
        .find((s) => s.name === stream)
        ?.topics.find((t) => t.id === topicMeta.id);
      if (!topic) throw topicNotFound(stream, topicMeta.name);
      const found = topic.groups.find((g) => g.name === group);
      if (found) return { value: found, changed: false };
      const created: GroupMeta = { id: topic.nextGroupId++, name: group, createdAtMs: engine.clock.nowMs() };
      topic.groups.push(created);
      return { value: created, changed: true };
    }),
  );
}

/** Creates the group if missing (its name and offsets are persistent) and returns it. */
export async function ensureGroup(engine: Engine, stream: string, topic: string, group: string): Promise<GroupInfo> {
  checkNames(stream, topic, group);
  const { runtime, topic: topicMeta } = await engine.topicByName(stream, topic);
  const meta = await ensureGroupMeta(engine, stream, topicMeta, group);
  return toGroupInfo(topicMeta, meta, runtime.existingCoordinator(group));
}

/** Returns the group with its current members, or null when it (or its topic) is missing. */
export async function getGroup(
  engine: Engine,
  stream: string,
  topic: string,
  group: string,
): Promise<GroupInfo | null> {
  checkNames(stream, topic, group);
  const found = engine.metadata.topic(stream, topic);
  const meta = found?.topic.groups.find((g) => g.name === group);
  if (!found || !meta) return null;
  const runtime = await engine.runtime(found.stream, found.topic);
  return toGroupInfo(found.topic, meta, runtime.existingCoordinator(group));
}

/** Lists a topic's groups (`NOT_FOUND` for a missing topic). */
export async function listGroups(engine: Engine, stream: string, topic: string): Promise<GroupInfo[]> {
  checkNames(stream, topic);
  const { runtime, topic: topicMeta } = await engine.topicByName(stream, topic);
  return topicMeta.groups.map((g) => toGroupInfo(topicMeta, g, runtime.existingCoordinator(g.name)));
}

/**
 * Joins as one new member (creating the group if missing). Free partitions are granted before
 * this resolves; partitions moving from other members arrive later through `onAssign`, once
 * their owner's `onRevoke` resolved. Callbacks start only after this call returned.
 */
export async function joinGroup(
  engine: Engine,
  stream: string,
  topic: string,
  group: string,
  callbacks: GroupCallbacks,
): Promise<GroupMembership> {
  checkNames(stream, topic, group);
  const { runtime, topic: topicMeta } = await engine.topicByName(stream, topic);
  await ensureGroupMeta(engine, stream, topicMeta, group);
  if (runtime.closed.signal.aborted) throw topicNotFound(stream, topic);
  const member = new EmbeddedMembership({
    owner: engine,
    stream,
    topic,
    group,
    memberId: randomUUID(),
    callbacks,
    logger: engine.logger,
  });
  runtime.coordinator(group).join(member);
  setImmediate(() => member.openCallbacks());
  engine.logger.debug('consumer group member joined', { stream, topic, group, memberId: member.memberId });
  return member;
}

/** Leaves the group (no `onRevoke` for the leaver); its partitions go to the others. Idempotent. */
export async function leaveGroup(engine: Engine, membership: GroupMembership): Promise<void> {
  const member = ownMember(engine, membership);
  if (!member.active) return;
  const runtime = await engine.openRuntime(member.stream, member.topic);
  runtime?.existingCoordinator(member.group)?.leave(member);
  engine.logger.debug('consumer group member left', {
    stream: member.stream,
    topic: member.topic,
    group: member.group,
    memberId: member.memberId,
  });
}
