import { randomUUID } from 'node:crypto';
import { isRustokError, type Logger } from '@rustok/core';
import type { GroupCallbacks, GroupMembership } from '../types';
import type { IggyClient } from './connection/client';
import { joinConsumerGroup, leaveConsumerGroup, syncConsumerGroup } from './wire/commands/index';

/** What a member needs from its connector. */
export interface RemoteMembershipInit {
  owner: object;
  stream: string;
  topic: string;
  group: string;
  /** The member's own connection (own login, sync, polls, offset stores, heartbeats). */
  client: IggyClient;
  callbacks: GroupCallbacks;
  syncIntervalMs: number;
  logger: Logger;
}

/**
 * One member of a remote consumer group. Membership is bound to its dedicated connection's
 * session (client id): the member joins, then re-reads its assignment periodically with
 * SyncConsumerGroup; generation changes drive `onRevoke` (first) and `onAssign`. A lost
 * session revokes everything, then the member re-joins on the new session.
 */
export class RemoteMembership implements GroupMembership {
  readonly stream: string;
  readonly topic: string;
  readonly group: string;
  readonly memberId = randomUUID();
  /** The connector that created this member. */
  readonly owner: object;
  /** The member's dedicated connection. */
  readonly client: IggyClient;
  readonly #callbacks: GroupCallbacks;
  readonly #syncIntervalMs: number;
  readonly #logger: Logger;
  #owned: number[] = [];
  #generation = -1n;
  #active = true;
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #syncing: Promise<void> | undefined;
  #unsubscribe: (() => void)[] = [];

  /** Creates a member; `start()` joins. */
  constructor(init: RemoteMembershipInit) {
    this.owner = init.owner;
    this.stream = init.stream;
    this.topic = init.topic;
    this.group = init.group;
    this.client = init.client;
    this.#callbacks = init.callbacks;
    this.#syncIntervalMs = init.syncIntervalMs;
    this.#logger = init.logger;
  }

  /** True until the member leaves or its connector closes. */
  get active(): boolean {
    return this.#active;
  }

  /** Partitions this member may poll right now (sorted), as of the last sync. */
  assignment(): readonly number[] {
    return this.#active ? [...this.#owned] : [];
  }

  /** The group generation of the last sync (-1n before the first). */
  get generation(): bigint {
    return this.#generation;
  }

  /** Connects, joins, reads the first assignment and starts the periodic sync. */
  async start(): Promise<void> {
    await this.client.connect();
    await this.#join();
    await this.sync();
    this.#unsubscribe.push(
      this.client.onSessionLost(() => this.#onSessionLost()),
      this.client.onSessionReady((_info, reconnected) => {
        if (reconnected) this.#onSessionReady();
      }),
    );
    this.#timer = setInterval(() => {
      this.sync().catch((error: unknown) => this.#logger.debug('group sync failed', this.#fields(error)));
    }, this.#syncIntervalMs);
    this.#timer.unref();
  }

  /** Re-reads the assignment now; runs callbacks for what changed. Concurrent calls share one sync. */
  sync(): Promise<void> {
    if (!this.#active) return Promise.resolve();
    this.#syncing ??= this.#syncOnce().finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  /** Leaves the group on the server and closes the member's connection. */
  async leave(): Promise<void> {
    if (!this.#active) return;
    this.#deactivate();
    try {
      if (this.client.connected) {
        await this.client.call(leaveConsumerGroup, { stream: this.stream, topic: this.topic, group: this.group });
      }
    } catch (error) {
      // Not a member any more (session lost, group or topic gone): the outcome is the same.
      this.#logger.debug('leaving the group failed; closing the session instead', this.#fields(error));
    } finally {
      await this.client.close();
    }
  }

  /** Drops the member without talking to the server (connector close, session gone). */
  async dispose(): Promise<void> {
    this.#deactivate();
    await this.client.close();
  }

  #deactivate(): void {
    this.#active = false;
    this.#owned = [];
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  async #join(): Promise<void> {
    await this.client.call(joinConsumerGroup, { stream: this.stream, topic: this.topic, group: this.group });
  }

  async #syncOnce(): Promise<void> {
    const target = { stream: this.stream, topic: this.topic, group: this.group };
    let reply = await this.client.call(syncConsumerGroup, target);
    if (reply === null && this.#active) {
      // The server does not know this session as a member (a new session, or it was removed):
      // let pending revocations finish, then join again.
      await this.#chain;
      if (!this.#active) return;
      await this.#join();
      reply = await this.client.call(syncConsumerGroup, target);
    }
    if (!this.#active) return;
    const next = [...new Set(reply?.partitions ?? [])].sort((a, b) => a - b);
    this.#generation = reply?.generation ?? this.#generation;
    this.#apply(next);
  }

  /** Moves the assignment to `next`: revoked partitions first, then assigned ones. */
  #apply(next: number[]): void {
    const removed = this.#owned.filter((p) => !next.includes(p));
    const added = next.filter((p) => !this.#owned.includes(p));
    this.#owned = next;
    if (removed.length > 0) this.#callback('onRevoke', removed);
    if (added.length > 0) this.#callback('onAssign', added);
  }

  /** Queues one callback on the member's chain (callbacks run one after another). */
  #callback(kind: 'onAssign' | 'onRevoke', partitions: number[], sessionLost = false): Promise<void> {
    const fn = this.#callbacks[kind];
    this.#chain = this.#chain.then(async () => {
      if (!fn) return;
      try {
        await fn(partitions, { sessionLost });
      } catch (error) {
        this.#logger.warn(`group ${kind} callback failed`, this.#fields(error));
      }
    });
    return this.#chain;
  }

  #onSessionLost(): void {
    if (!this.#active) return;
    // A new session is a new member: everything owned is revoked before re-joining.
    const all = this.#owned;
    this.#owned = [];
    if (all.length > 0) this.#callback('onRevoke', all, true);
  }

  #onSessionReady(): void {
    if (!this.#active) return;
    const rejoin = async (): Promise<void> => {
      await this.#chain;
      if (!this.#active) return;
      await this.#join();
      await this.sync();
    };
    rejoin().catch((error: unknown) => this.#logger.warn('re-joining the group failed', this.#fields(error)));
  }

  #fields(error: unknown): Record<string, unknown> {
    return {
      stream: this.stream,
      topic: this.topic,
      group: this.group,
      memberId: this.memberId,
      error: isRustokError(error) ? `${error.code}: ${error.message}` : String(error),
    };
  }
}
