import type { GroupMembership } from '@rustok/iggy-connector';
import { toFailure } from './outcome';
import { type MemberShared, PartitionWorker } from './partition-worker';

/**
 * One group membership on one topic: runs a partition worker per assigned partition, stops and
 * commits a partition's work before it is revoked, and leaves the group on close.
 */
export class TopicMember {
  private membership: GroupMembership | null = null;
  private readonly workers = new Map<number, PartitionWorker>();
  private ops: Promise<void> = Promise.resolve();
  private closing = false;

  /** Prepares the member; `join()` makes it live. */
  constructor(
    private readonly shared: MemberShared,
    readonly topic: string,
  ) {}

  /** Partitions with a running worker, ascending. */
  partitions(): number[] {
    return [...this.workers.keys()].sort((a, b) => a - b);
  }

  /** Joins the group on the topic and starts workers for the initial assignment. */
  async join(): Promise<void> {
    const { deps, group } = this.shared;
    const membership = await deps.connector.joinGroup(deps.stream, this.topic, group, {
      onAssign: (partitions) => this.enqueue(() => this.assign(partitions)),
      // A lost session's partitions may already be someone else's: release them at once.
      onRevoke: (partitions, info) =>
        this.enqueue(() =>
          this.revoke(partitions, info?.sessionLost ? 0 : this.shared.options.revokeDrainMs),
        ),
    });
    this.membership = membership;
    await this.enqueue(() => this.assign(membership.assignment()));
  }

  /** Stops every worker (each commits), then leaves the group. Idempotent. */
  async close(): Promise<void> {
    this.closing = true;
    await this.enqueue(() => this.revoke(this.partitions()));
    const membership = this.membership;
    this.membership = null;
    if (membership === null) return;
    try {
      await this.shared.deps.connector.leaveGroup(membership);
    } catch (error) {
      this.shared.deps.logger.warn('leaving the consumer group failed', {
        group: this.shared.group,
        topic: this.topic,
        error: toFailure(error).message,
      });
    }
  }

  /** Runs assignment changes one at a time, in the order the connector reported them. */
  private enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.ops.then(op, op);
    this.ops = run.catch(() => {});
    return run;
  }

  private async assign(partitions: readonly number[]): Promise<void> {
    const membership = this.membership;
    // Before `joinGroup` resolves, the assignment is read from the membership right after.
    if (membership === null || this.closing) return;
    for (const partition of partitions) {
      if (this.workers.has(partition)) continue;
      const worker = new PartitionWorker(this.shared, this.topic, partition, membership);
      this.workers.set(partition, worker);
      worker.start();
    }
  }

  /** Stops the partitions' workers; `drainMs` > 0 lets polled messages finish first (a revoke). */
  private async revoke(partitions: readonly number[], drainMs = 0): Promise<void> {
    const stopping = partitions.flatMap((partition) => {
      const worker = this.workers.get(partition);
      if (worker === undefined) return [];
      this.workers.delete(partition);
      return [worker.stop(drainMs)];
    });
    await Promise.all(stopping);
  }
}
