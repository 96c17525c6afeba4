import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes } from '@rustok/core';
import { makeTempDir } from '@rustok/testkit';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock, lockFileName } from './data-dir-lock';
import { currentProcessIdentity, parseProcStat } from './process-identity';

const locked = expect.objectContaining({ code: ErrorCodes.DATA_DIR_LOCKED });

/** Writes a lock file by hand, as another (possibly dead) process would have left it. */
async function plantLock(dir: string, gen: number, fields: Record<string, unknown>): Promise<void> {
  const self = await currentProcessIdentity();
  const record = { version: 1, state: 'held', ...self, nonce: 'planted', at: new Date().toISOString(), ...fields };
  await writeFile(join(dir, lockFileName(gen)), JSON.stringify(record));
}

describe('data-dir lock', () => {
  it('rejects a second acquire in the same process, and works again after release', async () => {
    await using tmp = await makeTempDir();
    const dir = join(tmp.path, 'data');
    const lock = await acquireDataDirLock(dir);
    expect(await lock.isHeld()).toBe(true);
    await expect(acquireDataDirLock(dir)).rejects.toThrow(locked);
    await expect(acquireDataDirLock(`${dir}/.`)).rejects.toThrow(locked);
    await lock.release();
    await lock.release();
    expect(await lock.isHeld()).toBe(false);
    const again = await acquireDataDirLock(dir);
    await again[Symbol.asyncDispose]();
    // Only the newest generation remains, marked released.
    const files = (await readdir(dir)).filter((f) => f.startsWith('lock.'));
    expect(files).toHaveLength(1);
    const marker = JSON.parse(await readFile(join(dir, files[0] as string), 'utf8'));
    expect(marker.state).toBe('released');
  });

  it('reports the holder pid in the error details', async () => {
    await using tmp = await makeTempDir();
    await plantLock(tmp.path, 3, { pid: process.ppid, startTime: null });
    const error = await acquireDataDirLock(tmp.path).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCodes.DATA_DIR_LOCKED, details: { dataDir: expect.any(String), pid: process.ppid } });
  });

  it('takes over a lock whose pid was reused by a process with another start time', async () => {
    await using tmp = await makeTempDir();
    const self = await currentProcessIdentity();
    if (self.startTime === null) return; // not Linux: start times unavailable
    await plantLock(tmp.path, 7, { pid: process.ppid, startTime: '1' });
    const lock = await acquireDataDirLock(tmp.path);
    expect(lock.file.endsWith(lockFileName(8))).toBe(true);
    expect(await readdir(tmp.path)).toEqual([lockFileName(8)]);
    await lock.release();
  });

  it('takes over a lock of a process that no longer exists, and one from an earlier boot', async () => {
    await using tmp = await makeTempDir();
    await plantLock(tmp.path, 0, { pid: 2 ** 22 + 12345 });
    const lock = await acquireDataDirLock(tmp.path);
    await lock.release();
    await plantLock(tmp.path, 10, { pid: process.ppid, bootId: 'some-earlier-boot' });
    const again = await acquireDataDirLock(tmp.path);
    await again.release();
  });

  it('refuses a lock from another host (cannot verify) and treats unreadable ones as stale', async () => {
    await using tmp = await makeTempDir();
    await plantLock(tmp.path, 0, { hostname: 'elsewhere.invalid', pid: 1 });
    await expect(acquireDataDirLock(tmp.path)).rejects.toThrow(/elsewhere\.invalid/);
    await using tmp2 = await makeTempDir();
    await writeFile(join(tmp2.path, lockFileName(4)), '{"trunc');
    const lock = await acquireDataDirLock(tmp2.path);
    expect(lock.file.endsWith(lockFileName(5))).toBe(true);
    await lock.release();
  });

  it('notices when its lock was taken away', async () => {
    await using tmp = await makeTempDir();
    const lock = await acquireDataDirLock(tmp.path);
    await plantLock(tmp.path, 1, { pid: process.ppid, startTime: null });
    expect(await lock.isHeld()).toBe(false);
    await lock.release();
    // The foreign lock is left alone.
    expect(await readdir(tmp.path)).toContain(lockFileName(1));
  });

  it('parses /proc/<pid>/stat lines with odd command names', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    const line = `123 (a) b (c) ${fields.join(' ')}`;
    expect(parseProcStat(line)).toEqual({ state: 'S', startTime: '22' });
    expect(parseProcStat('garbage')).toBeNull();
  });
});
