import type { Logger } from '@rustok/core';
import { computeAssignment } from './assignment';
import type { EmbeddedMembership } from './membership';

/** Options of a group coordinator. */
export interface GroupCoordinatorOptions {
  partitionCount: number;
  /** A revoke that has not resolved after this long is forced (the partition moves anyway). */
  rebalanceTimeoutMs: number;
  logger: Logger;
}

/**
 * Keeps the ephemeral members of one consumer group and who owns which partition. On every
 * change it recomputes a balanced, sticky target: free partitions are granted at once (with
 * `onAssign`); a partition that must move stays with its owner until the owner's `onRevoke`
 * resolves (or the rebalance timeout forces it), and only then is granted to the new owner.
 */
export class GroupCoordinator {
  readonly #options: GroupCoordinatorOptions;
  readonly #members: EmbeddedMembership[] = [];
  readonly #owners = new Map<number, EmbeddedMembership>();
  readonly #revoking = new Map<number, EmbeddedMembership>();
  #dissolved = false;

  /** Creates an empty coordinator for a topic with `partitionCount` partitions. */
  constructor(options: GroupCoordinatorOptions) {
    this.#options = options;
  }

  /** Active members, in join order. */
  members(): readonly EmbeddedMembership[] {
    return this.#members;
  }

  /** Adds a member and rebalances. */
  join(member: EmbeddedMembership): void {
    this.#members.push(member);
    this.#rebalance();
  }

  /** Removes a member (its partitions are freed at once, without `onRevoke`) and rebalances. */
  leave(member: EmbeddedMembership): void {
    const index = this.#members.indexOf(member);
    if (index < 0) return;
    this.#members.splice(index, 1);
    this.#drop(member);
    this.#rebalance();
  }

  /** Removes every member without callbacks (connector close, topic deletion). */
  dissolve(): void {
    this.#dissolved = true;
    for (const member of this.#members.splice(0)) this.#drop(member);
  }

  #drop(member: EmbeddedMembership): void {
    for (const p of member.deactivate()) {
      if (this.#owners.get(p) === member) this.#owners.delete(p);
      if (this.#revoking.get(p) === member) this.#revoking.delete(p);
    }
  }

  #rebalance(): void {
    if (this.#dissolved) return;
    const byId = new Map(this.#members.map((m) => [m.memberId, m]));
    const current = new Map<number, string>();
    for (const [p, m] of this.#owners) current.set(p, m.memberId);
    const target = computeAssignment(
      this.#options.partitionCount,
      this.#members.map((m) => m.memberId),
      current,
    );
    const grants = new Map<EmbeddedMembership, number[]>();
    const revokes = new Map<EmbeddedMembership, number[]>();
    for (const [p, id] of target) {
      const owner = this.#owners.get(p);
      if (owner === undefined) {
        const member = byId.get(id)!;
        this.#owners.set(p, member);
        pushTo(grants, member, p);
      } else if (owner.memberId !== id && !this.#revoking.has(p)) {
        this.#revoking.set(p, owner);
        pushTo(revokes, owner, p);
      }
    }
    for (const [member, partitions] of grants) member.grant(partitions);
    for (const [member, partitions] of revokes) this.#startRevoke(member, partitions);
  }

  #startRevoke(member: EmbeddedMembership, partitions: number[]): void {
    let settled = false;
    const finish = (forced: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (forced) {
        this.#options.logger.warn('consumer group revoke timed out; moving partitions anyway', {
          group: member.group,
          topic: member.topic,
          memberId: member.memberId,
          partitions,
        });
      }
      const released: number[] = [];
      for (const p of partitions) {
        if (this.#revoking.get(p) === member) this.#revoking.delete(p);
        if (this.#owners.get(p) === member) {
          this.#owners.delete(p);
          released.push(p);
        }
      }
      member.release(released);
      this.#rebalance();
    };
    const timer = setTimeout(() => finish(true), this.#options.rebalanceTimeoutMs);
    timer.unref();
    void member.revoke(partitions).then(() => finish(false));
  }
}

function pushTo<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
