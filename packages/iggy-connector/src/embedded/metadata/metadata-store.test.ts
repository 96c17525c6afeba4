import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@rustok/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFileLayer } from '../fs/node-file-layer';
import { METADATA_FILE, MetadataStore } from './metadata-store';

describe('MetadataStore', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await makeTempDir('rustok-meta-');
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('starts empty, persists changes and reloads them', async () => {
    const store = new MetadataStore(nodeFileLayer, dir.path);
    await store.load();
    expect(store.document.streams).toEqual([]);
    const id = await store.update((doc) => {
      const s = { id: doc.nextStreamId++, name: 'orders', createdAtMs: 1, nextTopicId: 1, topics: [] };
      doc.streams.push(s);
      return { value: s.id, changed: true };
    });
    expect(id).toBe(1);
    const reloaded = new MetadataStore(nodeFileLayer, dir.path);
    await reloaded.load();
    expect(reloaded.stream('orders')?.id).toBe(1);
    expect(reloaded.document.nextStreamId).toBe(2);
    const raw = JSON.parse(await readFile(join(dir.path, METADATA_FILE), 'utf8'));
    expect(raw.format).toBe('rustok-iggy-metadata');
  });

  it('does not write when nothing changed and keeps memory unchanged on a failed change', async () => {
    const store = new MetadataStore(nodeFileLayer, dir.path);
    await store.load();
    await store.update(() => ({ value: undefined, changed: false }));
    await expect(
      store.update((doc) => {
        doc.nextStreamId = -5; // invalid: rejected before writing
        return { value: undefined, changed: true };
      }),
    ).rejects.toThrow();
    expect(store.document.nextStreamId).toBe(1);
    const fresh = new MetadataStore(nodeFileLayer, dir.path);
    await fresh.load();
    expect(fresh.document.nextStreamId).toBe(1);
  });

  it('reports an unreadable file as STORAGE', async () => {
    await writeFile(join(dir.path, METADATA_FILE), '{ not json');
    const store = new MetadataStore(nodeFileLayer, dir.path);
    await expect(store.load()).rejects.toMatchObject({ code: 'STORAGE' });
    await writeFile(join(dir.path, METADATA_FILE), '{"format":"other"}');
    await expect(store.load()).rejects.toMatchObject({ code: 'STORAGE' });
  });
});
