import { setMaxListeners } from 'node:events';
import {
  ErrorCodes,
  hasErrorCode,
  type Logger,
  NotFoundError,
  type RustokError,
  StorageError,
} from '@rustok/core';
import { GroupCoordinator } from './groups/group-coordinator';
import { layout } from './layout';
import type { FsyncPolicy, PartitionLog, PartitionLogOptions } from './log/types';
import { OffsetsLog } from './offsets/offsets-log';

/** What a topic runtime needs to open its files. */
export interface TopicRuntimeContext {
  dataDir: string;
  logOptions: PartitionLogOptions;
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  rebalanceTimeoutMs: number;
  logger: Logger;
  openPartitionLog(dir: string, options: PartitionLogOptions): Promise<PartitionLog>;
}

/** Identity of the topic a runtime serves. */
export interface TopicIdentity {
  streamId: number;
  topicId: number;
  stream: string;
  topic: string;
  partitions: number;
}

/** A problem seen on one partition (kept until restart). */
export interface PartitionProblem {
  partition: number;
  error: RustokError;
}

/**
 * The open state of one topic: its partition logs, its offsets log, the live consumer groups
 * (ephemeral members) and partitions found corrupt. Created on first use, closed on topic
 * deletion or connector close.
 */
export class TopicRuntime {
  readonly identity: TopicIdentity;
  readonly offsets: OffsetsLog;
  /** Aborted when the topic is deleted or the connector closes (wakes long polls). */
  readonly closed = new AbortController();
  readonly #logs: PartitionLog[];
  readonly #groups = new Map<string, GroupCoordinator>();
  readonly #corrupt = new Map<number, RustokError>();
  readonly #context: TopicRuntimeContext;

  private constructor(
    identity: TopicIdentity,
    logs: PartitionLog[],
    offsets: OffsetsLog,
    context: TopicRuntimeContext,
  ) {
    // Every concurrent long-poll on this topic listens here; their number is bounded by callers.
    setMaxListeners(0, this.closed.signal);
    // Long polls wait on their log, not on this signal: closing wakes them there.
    this.closed.signal.addEventListener('abort', () => {
      for (const log of logs) log.wakeReaders();
    });
    this.identity = identity;
    this.#logs = logs;
    this.offsets = offsets;
    this.#context = context;
  }

  /** Opens (creating when missing) every partition log and the offsets log of a topic. */
  static async open(identity: TopicIdentity, context: TopicRuntimeContext): Promise<TopicRuntime> {
    const { dataDir } = context;
    const logs: PartitionLog[] = [];
    try {
      for (let p = 0; p < identity.partitions; p++) {
        const dir = layout.partitionDir(dataDir, identity.streamId, identity.topicId, p);
        logs.push(await context.openPartitionLog(dir, context.logOptions));
      }
      const offsets = await OffsetsLog.open(
        context.logOptions.fs,
        layout.offsetsFile(dataDir, identity.streamId, identity.topicId),
        { fsync: context.fsync, fsyncIntervalMs: context.fsyncIntervalMs },
      );
      return new TopicRuntime(identity, logs, offsets, context);
    } catch (error) {
      await Promise.allSettled(logs.map((l) => l.close()));
      throw error;
    }
  }

  /** Every partition log, by partition number. */
  get logs(): readonly PartitionLog[] {
    return this.#logs;
  }

  /** The log of `partition`; out of range → `NOT_FOUND`. */
  log(partition: number): PartitionLog {
    const log = this.#logs[partition];
    if (log === undefined) {
      throw new NotFoundError(
        `partition ${partition} not found in topic ${this.identity.stream}/${this.identity.topic} (partitions 0..${this.#logs.length - 1})`,
        { details: { stream: this.identity.stream, topic: this.identity.topic, partition } },
      );
    }
    return log;
  }

  /** The live coordinator of `group`, created on first use. */
  coordinator(group: string): GroupCoordinator {
    let coordinator = this.#groups.get(group);
    if (!coordinator) {
      coordinator = new GroupCoordinator({
        partitionCount: this.identity.partitions,
        rebalanceTimeoutMs: this.#context.rebalanceTimeoutMs,
        logger: this.#context.logger,
      });
      this.#groups.set(group, coordinator);
    }
    return coordinator;
  }

  /** The live coordinator of `group`, if any member ever joined it in this process. */
  existingCoordinator(group: string): GroupCoordinator | undefined {
    return this.#groups.get(group);
  }

  /**
   * Throws `CORRUPT_RECORD` once `partition` is known to be damaged (a read failed, or the log
   * reported corruption): its consumers stop instead of skipping anything, until a restart.
   */
  assertReadable(partition: number): void {
    const error = this.#corrupt.get(partition);
    if (error) throw error;
    const problem = this.#logs[partition]?.problems()[0];
    if (problem) {
      const fromLog = new StorageError(problem.message, {
        code: problem.code,
        details: { ...problem.details },
      });
      this.noteReadError(partition, fromLog);
      throw fromLog;
    }
  }

  /** Remembers `error` when it is `CORRUPT_RECORD`, so the partition's reads keep failing. */
  noteReadError(partition: number, error: unknown): void {
    if (hasErrorCode(error, ErrorCodes.CORRUPT_RECORD) && !this.#corrupt.has(partition)) {
      this.#corrupt.set(partition, error);
      this.#context.logger.error('corrupt record in partition; its reads stop', {
        stream: this.identity.stream,
        topic: this.identity.topic,
        partition,
        ...error.details,
      });
    }
  }

  /**
   * Problems of this topic's partitions: corruption the logs found (at open or on read) and
   * read failures that stopped a partition. One entry per distinct (partition, file, position).
   */
  problems(): PartitionProblem[] {
    const result: PartitionProblem[] = [];
    const seen = new Set<string>();
    const add = (partition: number, error: RustokError): void => {
      const id = `${partition}|${String(error.details.file)}|${String(error.details.position)}`;
      if (seen.has(id)) return;
      seen.add(id);
      result.push({ partition, error });
    };
    for (const [partition, error] of this.#corrupt) add(partition, error);
    this.#logs.forEach((log, partition) => {
      for (const problem of log.problems()) {
        add(
          partition,
          new StorageError(problem.message, { code: problem.code, details: { ...problem.details } }),
        );
      }
    });
    return result;
  }

  /** Drops every group member, wakes long polls, closes the offsets log and partition logs. */
  async close(): Promise<void> {
    this.closed.abort();
    for (const coordinator of this.#groups.values()) coordinator.dissolve();
    this.#groups.clear();
    const results = await Promise.allSettled([
      this.offsets.close(),
      ...this.#logs.map((log) => log.close()),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
