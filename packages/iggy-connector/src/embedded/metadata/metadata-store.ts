import { join } from 'node:path';
import { StorageError } from '@rustok/core';
import type { FileLayer } from '../log/types';
import { SerialQueue } from '../serial-queue';
import {
  emptyMetadata,
  type MetadataDocument,
  MetadataDocumentSchema,
  type StreamMeta,
  type TopicMeta,
} from './document';

/** File name of the metadata file inside the data dir. */
export const METADATA_FILE = 'metadata.json';

/**
 * Owns the metadata file (streams, topics, consumer groups). Every change builds a new document,
 * replaces the file atomically (temp file, fsync, rename, fsync dir) and only then becomes
 * visible in memory, so readers never see a change that is not durable.
 */
export class MetadataStore {
  readonly #fs: FileLayer;
  readonly #path: string;
  readonly #queue = new SerialQueue();
  #doc: MetadataDocument = emptyMetadata();
  #version = 0;

  /** Creates a store for `dataDir/metadata.json`; call `load()` before use. */
  constructor(fs: FileLayer, dataDir: string) {
    this.#fs = fs;
    this.#path = join(dataDir, METADATA_FILE);
  }

  /** Reads the file (a missing file means an empty data dir). Invalid content → `STORAGE`. */
  async load(): Promise<void> {
    if (!(await this.#fs.exists(this.#path))) {
      this.#doc = emptyMetadata();
      this.#version++;
      return;
    }
    const raw = await this.#fs.readFile(this.#path);
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch (cause) {
      throw new StorageError(`metadata file is not valid JSON: ${this.#path}`, {
        cause,
        details: { file: this.#path },
      });
    }
    const parsed = MetadataDocumentSchema.safeParse(json);
    if (!parsed.success) {
      throw new StorageError(`metadata file has an unexpected shape: ${this.#path}`, {
        cause: parsed.error,
        details: { file: this.#path },
      });
    }
    this.#doc = parsed.data;
    this.#version++;
  }

  /** Changes whenever the document is replaced (load or update): cached lookups check it. */
  get version(): number {
    return this.#version;
  }

  /** The current (durable) document. Treat as read-only. */
  get document(): Readonly<MetadataDocument> {
    return this.#doc;
  }

  /** Finds a stream by name. */
  stream(name: string): StreamMeta | undefined {
    return this.#doc.streams.find((s) => s.name === name);
  }

  /** Finds a topic by stream and topic name. */
  topic(stream: string, topic: string): { stream: StreamMeta; topic: TopicMeta } | undefined {
    const s = this.stream(stream);
    const t = s?.topics.find((x) => x.name === topic);
    return s && t ? { stream: s, topic: t } : undefined;
  }

  /**
   * Applies `change` to a copy of the document and persists it atomically; changes run one at
   * a time. `change` returns a value (computed on the copy) or `undefined` to skip the write.
   */
  update<T>(change: (draft: MetadataDocument) => { value: T; changed: boolean }): Promise<T> {
    return this.#queue.run(async () => {
      const draft = structuredClone(this.#doc);
      const { value, changed } = change(draft);
      if (changed) {
        // Validate before writing: a bug here must never produce a file we cannot load.
        MetadataDocumentSchema.parse(draft);
        await this.#fs.writeFileAtomic(this.#path, Buffer.from(`${JSON.stringify(draft, null, 2)}\n`));
        this.#doc = draft;
        this.#version++;
      }
      return value;
    });
  }
}
