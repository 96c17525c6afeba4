import type { Logger } from '@rustok/core';
import type { GroupCallbacks, GroupMembership } from '../../types';

/**
 * One member of an embedded consumer group (one `joinGroup` call). Ownership changes are made by
 * the group coordinator; callbacks run one after another, in order, on a per-member chain.
 */
export class EmbeddedMembership implements GroupMembership {
  readonly stream: string;
  readonly topic: string;
  readonly group: string;
  readonly memberId: string;
  /** Identifies the connector instance that created this member. */
  readonly owner: object;
  readonly #callbacks: GroupCallbacks;
  readonly #logger: Logger;
  readonly #owned = new Set<number>();
  #active = true;
  #chain: Promise<void>;
  #openGate: () => void = () => {};

  /** Creates a member; callbacks are held back until `openCallbacks()` is called. */
  constructor(init: {
    owner: object;
    stream: string;
    topic: string;
    group: string;
    memberId: string;
    callbacks: GroupCallbacks;
    logger: Logger;
  }) {
    this.owner = init.owner;
    this.stream = init.stream;
    this.topic = init.topic;
    this.group = init.group;
    this.memberId = init.memberId;
    this.#callbacks = init.callbacks;
    this.#logger = init.logger;
    this.#chain = new Promise<void>((resolve) => {
      this.#openGate = resolve;
    });
  }

  /** True until the member leaves or the connector closes. */
  get active(): boolean {
    return this.#active;
  }

  /** Partitions this member currently owns (sorted). */
  assignment(): readonly number[] {
    return [...this.#owned].sort((a, b) => a - b);
  }

  /** True when this member owns `partition` right now (also while its revoke is running). */
  owns(partition: number): boolean {
    return this.#active && this.#owned.has(partition);
  }

  /** Lets queued callbacks run (called once `joinGroup` has handed the membership out). */
  openCallbacks(): void {
    this.#openGate();
  }

  /** Records ownership of `partitions` and queues `onAssign`. */
  grant(partitions: readonly number[]): void {
    if (partitions.length === 0) return;
    for (const p of partitions) this.#owned.add(p);
    const list = Object.freeze([...partitions].sort((a, b) => a - b));
    this.#enqueue('onAssign', list);
  }

  /** Queues `onRevoke(partitions)`; resolves when it settled (errors are logged, not thrown). */
  revoke(partitions: readonly number[]): Promise<void> {
    const list = Object.freeze([...partitions].sort((a, b) => a - b));
    return this.#enqueue('onRevoke', list);
  }

  /** Drops ownership of `partitions` (after their revoke finished or was forced). */
  release(partitions: readonly number[]): void {
    for (const p of partitions) this.#owned.delete(p);
  }

  /** Marks the member as gone and drops every partition. */
  deactivate(): number[] {
    this.#active = false;
    const owned = [...this.#owned];
    this.#owned.clear();
    this.openCallbacks();
    return owned;
  }

  #enqueue(name: 'onAssign' | 'onRevoke', partitions: readonly number[]): Promise<void> {
    const run = async (): Promise<void> => {
      const callback = this.#callbacks[name];
      if (!callback || !this.#active) return;
      try {
        await callback(partitions);
      } catch (error) {
        this.#logger.warn(`consumer group ${name} callback failed`, {
          group: this.group,
          topic: this.topic,
          memberId: this.memberId,
          partitions,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    };
    const next = this.#chain.then(run);
    this.#chain = next;
    return next;
  }
}
