import { ClosedError, ErrorCodes, RustokError, ValidationError } from '@rustok/core';
import type {
  ConnectorHealth,
  Consumer,
  GroupCallbacks,
  GroupInfo,
  GroupMembership,
  IggyConnector,
  OutgoingMessage,
  PolledBatch,
  PollOptions,
  SendResult,
  StreamInfo,
  TopicInfo,
  TopicOptions,
} from '../types';
import { Engine } from './engine';
import { buildHealth, type ConnectorState } from './health';
import { acquireDataDirLock, type DataDirLock } from './lock/data-dir-lock';
import { type MaintenanceResult, maintainTopic } from './maintenance';
import { type EmbeddedConnectorOptionsInput, EmbeddedConnectorOptionsSchema } from './options';
import * as groups from './ops/groups';
import * as offsets from './ops/offsets';
import { poll } from './ops/poll';
import { send } from './ops/send';
import * as topology from './ops/topology';

/**
 * Apache Iggy's data model in-process: streams, topics, partitions, offsets and consumer groups
 * on a durable, crash-safe log engine in `dataDir`. One process owns a data dir at a time.
 * `connect()` is optional (the first operation connects); `close()` (or `await using`) releases
 * the data dir. See docs/embedded-connector.md for the semantics.
 */
export class EmbeddedConnector implements IggyConnector, AsyncDisposable {
  readonly mode = 'embedded' as const;
  readonly #engine: Engine;
  /** Operations started and not yet settled; `close()` waits for them. */
  #inflight = 0;
  #inflightWaiters: (() => void)[] = [];
  readonly #settled = (): void => {
    this.#inflight -= 1;
    if (this.#inflight === 0) for (const wake of this.#inflightWaiters.splice(0)) wake();
  };
  #state: ConnectorState = 'idle';
  #connecting: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  #lock: DataDirLock | null = null;
  #maintenanceTimer: NodeJS.Timeout | null = null;
  #maintenanceRunning: Promise<MaintenanceResult> | null = null;

  /** Creates a connector for `options.dataDir` (default `./.rustok/iggy`); nothing is opened yet. */
  constructor(options: EmbeddedConnectorOptionsInput = {}) {
    const parsed = EmbeddedConnectorOptionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new ValidationError(
        `invalid embedded connector options: ${parsed.error.issues
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ')}`,
      );
    }
    this.#engine = new Engine(parsed.data);
  }

  /** The absolute data directory. */
  get dataDir(): string {
    return this.#engine.dataDir;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Locks and opens the data dir (second opener → `DATA_DIR_LOCKED`). Idempotent. */
  connect(): Promise<void> {
    if (this.#state === 'open') return Promise.resolve();
    if (this.#state !== 'idle') return Promise.reject(this.#closedError());
    this.#connecting ??= this.#open().catch((error: unknown) => {
      this.#connecting = null;
      throw error;
    });
    return this.#connecting;
  }

  async #open(): Promise<void> {
    const engine = this.#engine;
    await engine.fs.mkdir(engine.dataDir);
    const lock = await acquireDataDirLock(engine.dataDir);
    try {
      await engine.metadata.load();
      await engine.removeOrphans();
    } catch (error) {
      await lock.release().catch(() => undefined);
      throw error;
    }
    if (this.#state !== 'idle') {
      // close() was called while opening.
      await lock.release().catch(() => undefined);
      throw this.#closedError();
    }
    this.#lock = lock;
    this.#state = 'open';
    engine.logger.info('embedded Iggy connector opened', { dataDir: engine.dataDir });
    this.#maintenanceTimer = setInterval(() => {
      this.runMaintenance().catch(() => undefined);
    }, engine.options.retentionCheckIntervalMs);
    this.#maintenanceTimer.unref();
  }

  /** Flushes, stops timers, ends long polls, drops group members, releases the data dir. Idempotent. */
  close(): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutdown(): Promise<void> {
    const engine = this.#engine;
    const wasOpen = this.#state === 'open';
    this.#state = 'closing';
    if (this.#maintenanceTimer) clearInterval(this.#maintenanceTimer);
    this.#maintenanceTimer = null;
    // Wake long polls before waiting for in-flight work.
    for (const runtime of await engine.openRuntimes()) runtime.closed.abort();
    await this.#connecting?.catch(() => undefined);
    while (this.#inflight > 0) await new Promise<void>((resolve) => this.#inflightWaiters.push(resolve));
    await engine.topology.drain();
    const errors = await engine.closeAll();
    await this.#lock?.release().catch((error: unknown) => errors.push(error));
    this.#lock = null;
    this.#state = 'closed';
    if (wasOpen) engine.logger.info('embedded Iggy connector closed', { dataDir: engine.dataDir });
    if (errors.length > 0) {
      throw new RustokError(ErrorCodes.STORAGE, 'embedded connector closed with errors', {
        cause: errors[0],
        details: { dataDir: engine.dataDir, errors: errors.length },
      });
    }
  }

  /**
   * Reports healthy, degraded (a partition has a problem, e.g. `CORRUPT_RECORD`; the rest works)
   * or unhealthy (not open, closed, or the data dir lock was lost). Never throws.
   */
  health(): Promise<ConnectorHealth> {
    return buildHealth(this.#engine, this.#state, this.#lock);
  }

  /**
   * Runs age-based segment rolling and retention on every topic now (a timer also runs it every
   * `retentionCheckIntervalMs`). Returns what was deleted.
   */
  runMaintenance(): Promise<MaintenanceResult> {
    this.#maintenanceRunning ??= this.#op(() => this.#maintain()).finally(() => {
      this.#maintenanceRunning = null;
    });
    return this.#maintenanceRunning;
  }

  async #maintain(): Promise<MaintenanceResult> {
    const engine = this.#engine;
    const total: MaintenanceResult = { deletedSegments: 0, deletedBytes: 0 };
    for (const stream of engine.metadata.document.streams) {
      for (const topic of stream.topics) {
        try {
          const runtime = await engine.runtime(stream, topic);
          const result = await maintainTopic(runtime, topic, engine.clock.nowMs());
          total.deletedSegments += result.deletedSegments;
          total.deletedBytes += result.deletedBytes;
        } catch (error) {
          engine.noteError(error);
          engine.logger.warn('embedded maintenance failed for a topic', {
            stream: stream.name,
            topic: topic.name,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
    }
    if (total.deletedSegments > 0) {
      engine.logger.info('retention deleted segments', { ...total });
      engine.metrics.increment('iggy.embedded.retention.segments_deleted', total.deletedSegments);
    }
    return total;
  }

  // ---------------------------------------------------------------- topology

  /** Creates the stream if missing and returns it. */
  async ensureStream(name: string): Promise<StreamInfo> {
    return this.#op(() => topology.ensureStream(this.#engine, name));
  }

  /** Returns the stream, or null when missing. */
  async getStream(name: string): Promise<StreamInfo | null> {
    return this.#op(() => topology.getStream(this.#engine, name));
  }

  /** Deletes a stream with all its topics, data and offsets. Missing → `NOT_FOUND`. */
  async deleteStream(name: string): Promise<void> {
    return this.#op(() => topology.deleteStream(this.#engine, name));
  }

  /** Creates the topic if missing (partitions 0..n-1) and returns it; an existing one as it is. */
  async ensureTopic(stream: string, name: string, options: TopicOptions): Promise<TopicInfo> {
    return this.#op(() => topology.ensureTopic(this.#engine, stream, name, options));
  }

  /** Returns the topic, or null when it (or its stream) is missing. */
  async getTopic(stream: string, name: string): Promise<TopicInfo | null> {
    return this.#op(() => topology.getTopic(this.#engine, stream, name));
  }

  /** Lists a stream's topics. Missing stream → `NOT_FOUND`. */
  async listTopics(stream: string): Promise<TopicInfo[]> {
    return this.#op(() => topology.listTopics(this.#engine, stream));
  }

  /** Deletes a topic with its data, offsets and groups. Missing → `NOT_FOUND`. */
  async deleteTopic(stream: string, name: string): Promise<void> {
    return this.#op(() => topology.deleteTopic(this.#engine, stream, name));
  }

  // ---------------------------------------------------------------- messages

  /**
   * Appends `messages` to one partition atomically and in order; resolves once written to the
   * OS. A partition outside the topic's range is `NOT_FOUND`; an empty batch, an empty or
   * oversized payload, or oversized headers are `VALIDATION`. Ids absent or 0n are minted.
   */
  async send(
    stream: string,
    topic: string,
    partition: number,
    messages: readonly OutgoingMessage[],
  ): Promise<SendResult> {
    return this.#op(() => send(this.#engine, stream, topic, partition, messages));
  }

  /**
   * Reads from one partition. Past the end returns an empty batch; with `waitMs` an empty read
   * waits for an append (or `signal`, or close). Group polls need the polling `member`, which
   * must own the partition (`PARTITION_NOT_OWNED` otherwise).
   */
  async poll(stream: string, topic: string, options: PollOptions): Promise<PolledBatch> {
    return this.#op(() => poll(this.#engine, stream, topic, options));
  }

  // ---------------------------------------------------------------- offsets

  /**
   * Stores "this offset and everything before it are processed". Beyond the partition's last
   * offset → `INVALID_OFFSET`; negative → `VALIDATION`. Group stores need the member owning the
   * partition, except while the group has no active member (offset resets).
   */
  async storeOffset(
    consumer: Consumer,
    stream: string,
    topic: string,
    partition: number,
    offset: bigint,
  ): Promise<void> {
    return this.#op(() => offsets.storeOffset(this.#engine, consumer, { stream, topic, partition }, offset));
  }

  /** Returns the stored offset, or null when nothing is stored. Unknown group → `NOT_FOUND`. */
  async getOffset(
    consumer: Consumer,
    stream: string,
    topic: string,
    partition: number,
  ): Promise<bigint | null> {
    return this.#op(() => offsets.getOffset(this.#engine, consumer, { stream, topic, partition }));
  }

  /** Removes a stored offset (same rules as `storeOffset` for who may do it). */
  async deleteOffset(consumer: Consumer, stream: string, topic: string, partition: number): Promise<void> {
    return this.#op(() => offsets.deleteOffset(this.#engine, consumer, { stream, topic, partition }));
  }

  // ---------------------------------------------------------------- groups

  /** Creates the group if missing (its name and offsets are persistent) and returns it. */
  async ensureGroup(stream: string, topic: string, group: string): Promise<GroupInfo> {
    return this.#op(() => groups.ensureGroup(this.#engine, stream, topic, group));
  }

  /** Returns the group with its current members, or null when it (or its topic) is missing. */
  async getGroup(stream: string, topic: string, group: string): Promise<GroupInfo | null> {
    return this.#op(() => groups.getGroup(this.#engine, stream, topic, group));
  }

  /** Lists a topic's groups. Missing topic → `NOT_FOUND`. */
  async listGroups(stream: string, topic: string): Promise<GroupInfo[]> {
    return this.#op(() => groups.listGroups(this.#engine, stream, topic));
  }

  /**
   * Joins as one new member (creating the group if missing). Free partitions are granted before
   * this resolves; partitions that must move from other members arrive later, via `onAssign`,
   * once their owner's `onRevoke` resolved. Callbacks start after this call returned.
   */
  async joinGroup(
    stream: string,
    topic: string,
    group: string,
    callbacks: GroupCallbacks = {},
  ): Promise<GroupMembership> {
    return this.#op(() => groups.joinGroup(this.#engine, stream, topic, group, callbacks));
  }

  /** Leaves the group (no `onRevoke` for the leaver); its partitions go to the others. */
  async leaveGroup(membership: GroupMembership): Promise<void> {
    return this.#op(() => groups.leaveGroup(this.#engine, membership));
  }

  // ---------------------------------------------------------------- internals

  /** Runs `work` once open; rejects with `CLOSED` after close. Tracked, so close waits for it. */
  #op<T>(work: () => Promise<T>): Promise<T> {
    if (this.#state === 'closing' || this.#state === 'closed') {
      return Promise.reject(this.#closedError());
    }
    let run: Promise<T>;
    if (this.#state === 'open') {
      try {
        run = work();
      } catch (error) {
        run = Promise.reject(error);
      }
    } else {
      run = (async () => {
        await this.connect();
        return work();
      })();
    }
    this.#inflight += 1;
    run.then(this.#settled, this.#settled);
    return run;
  }

  #closedError(): ClosedError {
    return new ClosedError('embedded connector is closed', { details: { dataDir: this.#engine.dataDir } });
  }
}
