import { join, resolve as resolvePath } from 'node:path';
import { ErrorCodes, isRustokError, type Logger, type Metrics, noopLogger, noopMetrics } from '@rustok/core';
import type { ConnectorHealth } from '../types';
import { systemClock } from './clock';
import { streamNotFound, topicNotFound } from './errors';
import { nodeFileLayer } from './fs/node-file-layer';
import { layout } from './layout';
import { openPartitionLog } from './log/partition-log';
import type { Clock, FileLayer } from './log/types';
import type { StreamMeta, TopicMeta } from './metadata/document';
import { MetadataStore } from './metadata/metadata-store';
import type { EmbeddedConnectorOptions } from './options';
import { SerialQueue } from './serial-queue';
import { TopicRuntime } from './topic-runtime';

/** A topic found by name: its metadata and its open runtime. */
export interface ResolvedTopic {
  stream: StreamMeta;
  topic: TopicMeta;
  runtime: TopicRuntime;
}

/**
 * The state one embedded connector works on: options and hooks, the metadata store, the queue
 * that serializes topology changes, and the open topic runtimes (opened on first use).
 */
export class Engine {
  readonly dataDir: string;
  readonly options: EmbeddedConnectorOptions;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly fs: FileLayer = nodeFileLayer;
  readonly metadata: MetadataStore;
  /** Serializes stream/topic/group creation and deletion. */
  readonly topology = new SerialQueue();
  /** Background fsyncs of every partition log, one at a time (see the log's `syncLane`). */
  readonly #syncLane = new SerialQueue();
  lastError: ConnectorHealth['lastError'];
  readonly #runtimes = new Map<string, Promise<TopicRuntime>>();
  /** `readyTopic` entries by stream, then topic; valid while the metadata version matches. */
  readonly #ready = new Map<string, Map<string, { version: number; resolved: ResolvedTopic }>>();

  /** Creates the engine state; nothing is opened. */
  constructor(options: EmbeddedConnectorOptions) {
    this.options = options;
    this.dataDir = resolvePath(options.dataDir);
    this.logger = options.logger ?? noopLogger;
    this.metrics = options.metrics ?? noopMetrics;
    this.clock = options.clock ?? systemClock;
    this.metadata = new MetadataStore(this.fs, this.dataDir);
  }

  /** Remembers storage-class errors for `health().lastError`. */
  noteError(error: unknown): void {
    if (
      isRustokError(error) &&
      (error.code === ErrorCodes.STORAGE || error.code === ErrorCodes.CORRUPT_RECORD)
    ) {
      this.lastError = { code: error.code, message: error.message, at: new Date() };
    }
  }

  /** Finds a topic by name (`NOT_FOUND` for a missing stream or topic) and opens its runtime. */
  async topicByName(stream: string, topic: string): Promise<ResolvedTopic> {
    const found = this.metadata.topic(stream, topic);
    if (!found) {
      throw this.metadata.stream(stream) ? topicNotFound(stream, topic) : streamNotFound(stream);
    }
    const version = this.metadata.version;
    const opening = this.runtime(found.stream, found.topic);
    const resolved = { ...found, runtime: await opening };
    // Remember it for `readyTopic` while neither the metadata nor the runtime changed.
    if (this.metadata.version === version && this.#runtimes.get(runtimeKey(stream, topic)) === opening) {
      let topics = this.#ready.get(stream);
      if (topics === undefined) {
        topics = new Map();
        this.#ready.set(stream, topics);
      }
      topics.set(topic, { version, resolved });
    }
    return resolved;
  }

  /**
   * The topic as `topicByName` last resolved it, when its runtime is open and the metadata has
   * not changed since (the hot path of sends and polls: no lookup, no await); else undefined.
   */
  readyTopic(stream: string, topic: string): ResolvedTopic | undefined {
    const entry = this.#ready.get(stream)?.get(topic);
    return entry !== undefined && entry.version === this.metadata.version ? entry.resolved : undefined;
  }

  /** The runtime of a topic, opened on first use (one open per topic, shared). */
  runtime(stream: StreamMeta, topic: TopicMeta): Promise<TopicRuntime> {
    const key = runtimeKey(stream.name, topic.name);
    const existing = this.#runtimes.get(key);
    if (existing) return existing;
    // Never (re)open the files of a topic that was deleted meanwhile.
    if (this.metadata.topic(stream.name, topic.name)?.topic.id !== topic.id) {
      return Promise.reject(topicNotFound(stream.name, topic.name));
    }
    const opening = TopicRuntime.open(
      {
        streamId: stream.id,
        topicId: topic.id,
        stream: stream.name,
        topic: topic.name,
        partitions: topic.partitions,
      },
      {
        dataDir: this.dataDir,
        fsync: this.options.fsync.policy,
        fsyncIntervalMs: this.options.fsync.intervalMs,
        rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
        logger: this.logger,
        openPartitionLog,
        logOptions: {
          fsync: this.options.fsync.policy,
          fsyncIntervalMs: this.options.fsync.intervalMs,
          segmentBytes: this.options.segmentBytes,
          segmentMaxAgeMs: this.options.segmentMaxAgeMs,
          clock: this.clock,
          fs: this.fs,
          syncLane: this.#syncLane,
          inlineWriteMaxBytes: this.options.inlineWriteMaxBytes,
        },
      },
    );
    this.#runtimes.set(key, opening);
    opening.catch((error: unknown) => {
      if (this.#runtimes.get(key) === opening) this.#runtimes.delete(key);
      this.noteError(error);
    });
    return opening;
  }

  /** The runtime of `stream/topic` if it is open (or opening). */
  openRuntime(stream: string, topic: string): Promise<TopicRuntime> | undefined {
    return this.#runtimes.get(runtimeKey(stream, topic));
  }

  /** Every successfully opened runtime. */
  async openRuntimes(): Promise<TopicRuntime[]> {
    const settled = await Promise.allSettled([...this.#runtimes.values()]);
    return settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  /** Closes and forgets the runtime of `stream/topic`, if open. */
  async closeRuntime(stream: string, topic: string): Promise<void> {
    const key = runtimeKey(stream, topic);
    const runtime = this.#runtimes.get(key);
    if (!runtime) return;
    this.#runtimes.delete(key);
    this.#ready.get(stream)?.delete(topic);
    const opened = await runtime.catch(() => null);
    await opened?.close();
  }

  /** Closes every runtime; returns the errors met (it keeps going after one). */
  async closeAll(): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (const runtime of await this.openRuntimes()) {
      await runtime.close().catch((error: unknown) => errors.push(error));
    }
    this.#runtimes.clear();
    this.#ready.clear();
    return errors;
  }

  /**
   * Removes stream and topic directories the metadata does not know: leftovers of a delete
   * interrupted by a crash (the metadata change is made first, the files removed after).
   */
  async removeOrphans(): Promise<void> {
    const streamsDir = layout.streamsDir(this.dataDir);
    if (!(await this.fs.exists(streamsDir))) return;
    const doc = this.metadata.document;
    for (const entry of await this.fs.readdir(streamsDir)) {
      const stream = doc.streams.find((s) => String(s.id) === entry);
      if (!stream) {
        await this.fs.rm(join(streamsDir, entry));
        continue;
      }
      const topicsDir = layout.topicsDir(this.dataDir, stream.id);
      if (!(await this.fs.exists(topicsDir))) continue;
      for (const topicEntry of await this.fs.readdir(topicsDir)) {
        if (!stream.topics.some((t) => String(t.id) === topicEntry)) {
          await this.fs.rm(join(topicsDir, topicEntry));
        }
      }
    }
  }
}

function runtimeKey(stream: string, topic: string): string {
  return `${stream}\u0000${topic}`;
}
