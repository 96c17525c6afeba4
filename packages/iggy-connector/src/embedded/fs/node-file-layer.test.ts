import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@rustok/testkit';
import { describe, expect, it } from 'vitest';
import { nodeFileLayer as fs } from './node-file-layer';

describe('nodeFileLayer', () => {
  it('replaces a file atomically and leaves no temp file behind', async () => {
    await using tmp = await makeTempDir();
    const path = join(tmp.path, 'meta.json');
    await fs.writeFileAtomic(path, Buffer.from('{"v":1}'));
    await fs.writeFileAtomic(path, Buffer.from('{"v":2}'));
    expect(await readFile(path, 'utf8')).toBe('{"v":2}');
    expect(await readdir(tmp.path)).toEqual(['meta.json']);
  });

  it('reads, writes, truncates and syncs through handles', async () => {
    await using tmp = await makeTempDir();
    const dir = join(tmp.path, 'a', 'b');
    await fs.mkdir(dir);
    const path = join(dir, 'f');
    expect(await fs.exists(path)).toBe(false);
    const handle = await fs.open(path, 'w+');
    expect(await handle.write(Buffer.from('hello there'), 0, 11, 0)).toBe(11);
    // The synchronous write lands in the same file, at the given position.
    expect(handle.writeSync?.(Buffer.from('xxworldxx'), 2, 5, 6)).toBe(5);
    await handle.sync();
    await handle.truncate(5);
    expect(await handle.size()).toBe(5);
    const buf = Buffer.alloc(10);
    expect(await handle.read(buf, 0, 10, 0)).toBe(5);
    expect(buf.subarray(0, 5).toString()).toBe('hello');
    await handle.close();
    await fs.syncDir(dir);
    expect(await fs.readdir(dir)).toEqual(['f']);
    await fs.rename(path, join(dir, 'g'));
    expect((await fs.readFile(join(dir, 'g'))).toString()).toBe('hello');
    await fs.unlink(join(dir, 'g'));
    await fs.rm(join(tmp.path, 'a'));
    expect(await fs.exists(join(tmp.path, 'a'))).toBe(false);
  });
});
