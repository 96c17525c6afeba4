import { NotFoundError, ValidationError } from '@rustok/core';
import type { ResolvedConsumeOptions } from '../options';
import { Semaphore } from '../scheduling/semaphore';
import type { ConsumerDeps } from '../types';
import type { AttemptRunner } from './outcome';
import { ParkingLot } from './parking';
import type { MemberShared } from './partition-worker';
import { TopicMember } from './topic-member';

/** A live group member over one or more topics (a `Subscription` of the transport). */
export interface GroupConsumer extends AsyncDisposable {
  readonly group: string;
  readonly topics: readonly string[];
  /** Partitions this member currently consumes, per topic. */
  assignment(): { topic: string; partitions: number[] }[];
  /** Stops polling, lets running handler attempts finish, commits, and leaves the group. */
  close(): Promise<void>;
}

/** Joins `group` once per topic and consumes with `runner`; shared by both consumer forms. */
export async function startEngine(
  deps: ConsumerDeps,
  group: string,
  options: ResolvedConsumeOptions,
  runner: AttemptRunner,
): Promise<GroupConsumer> {
  if (typeof group !== 'string' || group.length === 0 || group.length > 255) {
    throw new ValidationError('group name must be 1–255 characters', { details: { field: 'group' } });
  }
  for (const topic of options.topics) {
    if ((await deps.connector.getTopic(deps.stream, topic)) === null) {
      throw new NotFoundError(`topic ${deps.stream}/${topic} does not exist`, {
        details: { stream: deps.stream, topic },
      });
    }
  }
  const shared: MemberShared = {
    deps,
    group,
    options,
    runner,
    parking: new ParkingLot(),
    limiter: new Semaphore(options.concurrency),
    seen: new Map(),
  };
  const members = options.topics.map((topic) => new TopicMember(shared, topic));
  const closeAll = () => Promise.all(members.map((member) => member.close())).then(() => {});
  try {
    for (const member of members) await member.join();
  } catch (error) {
    await closeAll();
    throw error;
  }
  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= closeAll();
    return closed;
  };
  return {
    group,
    topics: [...options.topics],
    assignment: () => members.map((m) => ({ topic: m.topic, partitions: m.partitions() })),
    close,
    [Symbol.asyncDispose]: close,
  };
}
