import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@rustok/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFileLayer } from '../fs/node-file-layer';
import type { FileHandleLike, FileLayer } from '../log/types';
import { encodeOffsetRecord, type OffsetKey } from './offset-record';
import { OffsetsLog } from './offsets-log';

const key = (partition: number, name = 'g'): OffsetKey => ({ kind: 'group', name, partition });
const options = { fsync: 'never' as const, fsyncIntervalMs: 1000 };

/** A file layer that counts writes and syncs on opened handles. */
function countingLayer(): { layer: FileLayer; writes: () => number; syncs: () => number } {
  let writes = 0;
  let syncs = 0;
  const layer: FileLayer = {
    ...nodeFileLayer,
    async open(path, mode): Promise<FileHandleLike> {
      const inner = await nodeFileLayer.open(path, mode);
      return {
        read: (b, o, l, p) => inner.read(b, o, l, p),
        write: (b, o, l, p) => {
          writes++;
          return inner.write(b, o, l, p);
        },
        sync: () => {
          syncs++;
          return inner.sync();
        },
        truncate: (l) => inner.truncate(l),
        size: () => inner.size(),
        close: () => inner.close(),
      };
    },
  };
  return { layer, writes: () => writes, syncs: () => syncs };
}

describe('OffsetsLog', () => {
  let dir: TempDir;
  let path: string;
  beforeEach(async () => {
    dir = await makeTempDir('rustok-offsets-');
    path = join(dir.path, 'offsets.log');
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('stores, overwrites and deletes offsets, and replays them on reopen', async () => {
    const log = await OffsetsLog.open(nodeFileLayer, path, options);
    await log.store(key(0), 5n);
    await log.store(key(1), 7n);
    await log.store(key(0), 6n);
    await log.store({ kind: 'consumer-number', name: '1', partition: 0 }, 1n);
    await log.store({ kind: 'consumer-string', name: '1', partition: 0 }, 2n);
    await log.store(key(2), 9n);
    await log.delete(key(2));
    expect(log.get(key(0))).toBe(6n);
    await log.close();

    const reopened = await OffsetsLog.open(nodeFileLayer, path, options);
    expect(reopened.get(key(0))).toBe(6n);
    expect(reopened.get(key(1))).toBe(7n);
    expect(reopened.get(key(2))).toBeUndefined();
    expect(reopened.get({ kind: 'consumer-number', name: '1', partition: 0 })).toBe(1n);
    expect(reopened.get({ kind: 'consumer-string', name: '1', partition: 0 })).toBe(2n);
    expect(reopened.entries()).toHaveLength(4);
    await reopened.close();
  });

  it('drops a torn tail record on open and keeps appending after it', async () => {
    const log = await OffsetsLog.open(nodeFileLayer, path, options);
    await log.store(key(0), 1n);
    await log.close();
    const record = encodeOffsetRecord({ op: 'store', key: key(0), offset: 99n });
    await appendFile(path, record.subarray(0, record.length - 3));

    const reopened = await OffsetsLog.open(nodeFileLayer, path, options);
    expect(reopened.get(key(0))).toBe(1n);
    await reopened.store(key(1), 2n);
    await reopened.close();
    const again = await OffsetsLog.open(nodeFileLayer, path, options);
    expect(again.get(key(0))).toBe(1n);
    expect(again.get(key(1))).toBe(2n);
    await again.close();
  });

  it('ignores a record whose checksum does not match', async () => {
    const log = await OffsetsLog.open(nodeFileLayer, path, options);
    await log.store(key(0), 1n);
    await log.close();
    const record = encodeOffsetRecord({ op: 'store', key: key(0), offset: 99n });
    record.writeUInt8(record.readUInt8(record.length - 1) ^ 0xff, record.length - 1);
    await appendFile(path, record);
    const reopened = await OffsetsLog.open(nodeFileLayer, path, options);
    expect(reopened.get(key(0))).toBe(1n);
    await reopened.close();
  });

  it('rejects a file that is not an offsets file (STORAGE)', async () => {
    await writeFile(path, 'hello world');
    await expect(OffsetsLog.open(nodeFileLayer, path, options)).rejects.toMatchObject({ code: 'STORAGE' });
  });

  it('writes concurrent stores together', async () => {
    const counting = countingLayer();
    const log = await OffsetsLog.open(counting.layer, path, { fsync: 'always', fsyncIntervalMs: 1000 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.store(key(i), BigInt(i))));
    expect(counting.writes()).toBeLessThan(50);
    expect(counting.syncs()).toBeLessThan(50);
    expect(counting.syncs()).toBeGreaterThan(0);
    await log.close();
    const reopened = await OffsetsLog.open(nodeFileLayer, path, options);
    for (let i = 0; i < 50; i++) expect(reopened.get(key(i))).toBe(BigInt(i));
    await reopened.close();
  });

  it('applies stores of one key in order', async () => {
    const log = await OffsetsLog.open(nodeFileLayer, path, options);
    await Promise.all([log.store(key(0), 1n), log.store(key(0), 2n), log.delete(key(0)), log.store(key(0), 3n)]);
    expect(log.get(key(0))).toBe(3n);
    await log.close();
  });

  it('compacts when the file holds many more records than live entries', async () => {
    const log = await OffsetsLog.open(nodeFileLayer, path, { ...options, compactMinRecords: 64 });
    for (let i = 0; i < 300; i++) await log.store(key(i % 3), BigInt(i));
    const size = (await stat(path)).size;
    // 300 records would be ~9 KB; compaction keeps it far smaller.
    expect(size).toBeLessThan(300 * 20);
    await log.store(key(0), 1000n);
    await log.close();
    const reopened = await OffsetsLog.open(nodeFileLayer, path, options);
    expect(reopened.get(key(0))).toBe(1000n);
    expect(reopened.get(key(1))).toBe(298n);
    expect(reopened.get(key(2))).toBe(299n);
    await reopened.close();
    expect((await readFile(path)).subarray(0, 4).toString()).toBe('RKOF');
  });

  it('rejects stores after close', async () => {
    const log = await OffsetsLog.open(nodeFileLayer, path, options);
    await log.close();
    await log.close();
    await expect(log.store(key(0), 1n)).rejects.toMatchObject({ code: 'STORAGE' });
  });
});
