import { ErrorCodes, hasErrorCode } from '@rustok/core';
import type { Consumer, GroupMembership, PolledBatch, PolledMessage } from '@rustok/iggy-connector';
import { WatermarkTracker } from '../offsets/watermark';
import type { ResolvedConsumeOptions } from '../options';
import { backoffDelay } from '../retry/backoff';
import { KeyScheduler } from '../scheduling/key-scheduler';
import type { Semaphore } from '../scheduling/semaphore';
import type { ConsumerDeps } from '../types';
import type { AttemptRunner } from './outcome';
import { toFailure } from './outcome';
import type { ParkingLot } from './parking';
import { type PartitionScope, prepareMessage, processMessage } from './process-message';
import { sleep } from './sleep';

/** State shared by every partition worker of one group member. */
export interface MemberShared {
  deps: ConsumerDeps;
  group: string;
  options: ResolvedConsumeOptions;
  runner: AttemptRunner;
  parking: ParkingLot;
  /** Bounds handler attempts over all partitions and topics of the member. */
  limiter: Semaphore;
  /** Highest offset polled so far per `topic/partition`, to flag redeliveries. */
  seen: Map<string, bigint>;
}

/** Backoff between failed polls. */
const POLL_ERROR_BACKOFF = {
  backoff: 'exponential-jitter',
  initialDelayMs: 100,
  maxDelayMs: 5000,
} as const;

/**
 * Consumes one assigned partition: polls from the group's position, schedules each message on
 * its tenant key, tracks completions in a watermark and stores it as the group offset
 * periodically and when stopped.
 */
export class PartitionWorker {
  /** Aborted when polling ends (a stop, with or without draining). */
  private readonly pollController = new AbortController();
  /** Aborted when unfinished work is abandoned (after the drain, if any). */
  private readonly stopController = new AbortController();
  private readonly scheduler: KeyScheduler;
  private readonly scope: PartitionScope;
  private tracker: WatermarkTracker | null = null;
  private lastCommitted: bigint | null = null;
  private commitChain: Promise<void> = Promise.resolve();
  private commitTimer: NodeJS.Timeout | undefined;
  private roomWaiter: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private stopped: Promise<void> | null = null;
  /** Built once: every poll and offset store uses them. */
  private readonly consumer: Consumer;
  private readonly seenKey: string;
  private readonly lagLabels: Readonly<Record<string, string>>;

  /** Prepares a worker for `partition` of `topic`, polling as `membership`. */
  constructor(
    private readonly shared: MemberShared,
    private readonly topic: string,
    readonly partition: number,
    membership: GroupMembership,
  ) {
    this.scheduler = new KeyScheduler(shared.limiter, (error, key) =>
      shared.deps.logger.error('consumer task failed unexpectedly', {
        ...this.where(),
        key,
        error: toFailure(error).message,
      }),
    );
    this.scope = {
      deps: shared.deps,
      group: shared.group,
      topic,
      partition,
      options: shared.options,
      runner: shared.runner,
      parking: shared.parking,
      stopping: this.stopController.signal,
      seenUpTo: -1n,
    };
    this.consumer = { kind: 'group', name: shared.group, member: membership };
    this.seenKey = `${topic}/${partition}`;
    this.scope.seenUpTo = shared.seen.get(this.seenKey) ?? -1n;
    this.lagLabels = Object.freeze({ topic, group: shared.group, partition: String(partition) });
  }

  /** The commit watermark (`null` until the start position is known). */
  get watermark(): bigint | null {
    return this.tracker?.watermark ?? null;
  }

  /** Starts polling in the background. */
  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Stops polling, lets running handler attempts finish, then stores the watermark. With
   * `drainMs` > 0, messages already polled keep being processed for up to that long first (a
   * revoke: Iggy servers hand a partition over only once everything polled is committed);
   * what is still queued after that is not started. Idempotent.
   */
  stop(drainMs = 0): Promise<void> {
    this.stopped ??= (async () => {
      this.pollController.abort();
      this.roomWaiter?.();
      await this.loop;
      if (drainMs > 0) {
        const drained = new AbortController();
        await Promise.race([this.scheduler.idle(), sleep(drainMs, drained.signal)]);
        drained.abort();
      }
      this.stopController.abort();
      await this.scheduler.stop();
      clearInterval(this.commitTimer);
      await this.commit();
    })();
    return this.stopped;
  }

  /** Stores the watermark as the group offset when it moved since the last store. */
  commit(): Promise<void> {
    this.commitChain = this.commitChain.then(() => this.storeWatermark());
    return this.commitChain;
  }

  private where(): Record<string, unknown> {
    return { group: this.shared.group, topic: this.topic, partition: this.partition };
  }

  private async storeWatermark(): Promise<void> {
    const mark = this.tracker?.watermark;
    if (mark === undefined || mark < 0n) return;
    if (this.lastCommitted !== null && mark <= this.lastCommitted) return;
    const { connector, stream, logger } = this.shared.deps;
    try {
      await connector.storeOffset(this.consumer, stream, this.topic, this.partition, mark);
      this.lastCommitted = mark;
    } catch (error) {
      logger.warn('storing the group offset failed', {
        ...this.where(),
        offset: mark.toString(),
        error: toFailure(error).message,
      });
    }
  }

  private async run(): Promise<void> {
    const { deps, options } = this.shared;
    const signal = this.pollController.signal;
    try {
      const start = await this.startPosition();
      if (start === null) return;
      const tracker = new WatermarkTracker(start.offset);
      this.tracker = tracker;
      this.lastCommitted = start.committed;
      this.commitTimer = setInterval(() => void this.commit(), options.commitIntervalMs);
      this.commitTimer.unref?.();
      // A position chosen by `startFrom` is stored at once, so a restart does not move it.
      if (start.committed === null) void this.commit();
      let next = start.offset;
      let failures = 0;
      // One options object for every poll of this worker (the connector reads it during the call).
      const strategy = { kind: 'offset' as const, value: next };
      const pollOptions = {
        consumer: this.consumer,
        partition: this.partition,
        strategy,
        count: options.pollBatchSize,
        waitMs: options.pollWaitMs,
        signal,
      };
      while (!signal.aborted) {
        const room = options.maxInFlightPerPartition - tracker.outstanding;
        if (room <= 0) {
          await new Promise<void>((resolve) => {
            this.roomWaiter = resolve;
          });
          this.roomWaiter = null;
          continue;
        }
        const began = performance.now();
        let batch: PolledBatch;
        try {
          strategy.value = next;
          pollOptions.count = Math.min(options.pollBatchSize, room);
          batch = await deps.connector.poll(deps.stream, this.topic, pollOptions);
          failures = 0;
        } catch (error) {
          if (signal.aborted) break;
          if (hasErrorCode(error, ErrorCodes.CLOSED)) {
            deps.logger.warn('connector closed; partition consumer stops', this.where());
            break;
          }
          failures += 1;
          deps.logger.warn('poll failed; retrying', {
            ...this.where(),
            error: toFailure(error).message,
            code: toFailure(error).code,
          });
          await sleep(backoffDelay(POLL_ERROR_BACKOFF, failures), signal);
          continue;
        }
        for (const message of batch.messages) {
          if (message.offset < next) continue;
          tracker.track(message.offset);
          next = message.offset + 1n;
          this.dispatch(message.offset, message);
        }
        if (next - 1n > (this.shared.seen.get(this.seenKey) ?? -1n)) {
          this.shared.seen.set(this.seenKey, next - 1n);
        }
        const lag = batch.currentOffset - tracker.watermark;
        deps.metrics.gauge('rustok.consumer.lag', Number(lag > 0n ? lag : 0n), this.lagLabels);
        if (batch.messages.length === 0 && performance.now() - began < 5) {
          await sleep(Math.max(5, Math.min(50, options.pollWaitMs)), signal);
        }
      }
    } catch (error) {
      deps.logger.error('partition consumer failed', {
        ...this.where(),
        error: toFailure(error).message,
      });
    } finally {
      // Polling is over; `stop()` stores the final watermark once the running work drained.
      clearInterval(this.commitTimer);
    }
  }

  private dispatch(offset: bigint, message: PolledMessage): void {
    const prepared = prepareMessage(this.scope, message);
    if (prepared === null) {
      this.finish(offset);
      return;
    }
    this.scheduler.submit(prepared.key, async (permit) => {
      if (await processMessage(this.scope, prepared, permit)) this.finish(offset);
    });
  }

  private finish(offset: bigint): void {
    this.tracker?.complete(offset);
    this.roomWaiter?.();
  }

  /**
   * Where polling starts: after the group's committed offset, or by `startFrom` when nothing is
   * committed. Returns null when stopped before it was known.
   */
  private async startPosition(): Promise<{ offset: bigint; committed: bigint | null } | null> {
    const { deps, options, group } = this.shared;
    const signal = this.pollController.signal;
    for (let failures = 1; !signal.aborted; failures++) {
      try {
        const committed = await deps.connector.getOffset(
          { kind: 'group', name: group },
          deps.stream,
          this.topic,
          this.partition,
        );
        if (committed !== null) return { offset: committed + 1n, committed };
        const from = options.startFrom;
        const strategy =
          from === 'earliest'
            ? ({ kind: 'first' } as const)
            : from === 'latest'
              ? ({ kind: 'last' } as const)
              : ({ kind: 'timestamp', value: from.timestamp } as const);
        const probe = await deps.connector.poll(deps.stream, this.topic, {
          consumer: this.consumer,
          partition: this.partition,
          strategy,
          count: 1,
        });
        const first = probe.messages[0];
        const offset =
          from !== 'latest' && first !== undefined ? first.offset : probe.currentOffset + 1n;
        return { offset, committed: null };
      } catch (error) {
        if (signal.aborted) return null;
        if (hasErrorCode(error, ErrorCodes.CLOSED)) return null;
        deps.logger.warn('reading the start position failed; retrying', {
          ...this.where(),
          error: toFailure(error).message,
        });
        await sleep(backoffDelay(POLL_ERROR_BACKOFF, failures), signal);
      }
    }
    return null;
  }
}
