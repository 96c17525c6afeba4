import { fileURLToPath } from 'node:url';
import { ErrorCodes } from '@rustok/core';
import { makeTempDir } from '@rustok/testkit';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock } from '../../src/embedded/lock/data-dir-lock';
import { spawnTs } from './child-process';

const holder = fileURLToPath(new URL('./fixtures/lock-holder.ts', import.meta.url));

describe('data-dir lock across processes', () => {
  it('a live holder blocks, a SIGKILLed one does not', async () => {
    await using tmp = await makeTempDir();
    const child = spawnTs(holder, [tmp.path]);
    try {
      await child.waitForLine((l) => l === 'acquired');
      await expect(acquireDataDirLock(tmp.path)).rejects.toThrow(
        expect.objectContaining({ code: ErrorCodes.DATA_DIR_LOCKED, details: expect.objectContaining({ pid: child.proc.pid }) }),
      );
    } finally {
      await child.kill();
    }
    const lock = await acquireDataDirLock(tmp.path);
    await lock.release();
  });

  it('a released lock can be taken by another process', async () => {
    await using tmp = await makeTempDir();
    const lock = await acquireDataDirLock(tmp.path);
    const blocked = spawnTs(holder, [tmp.path, '0']);
    expect(await blocked.waitForLine((l) => l.startsWith('locked'))).toBe(`locked ${ErrorCodes.DATA_DIR_LOCKED}`);
    await blocked.exited;
    await lock.release();
    const next = spawnTs(holder, [tmp.path, '0']);
    await next.waitForLine((l) => l === 'released');
    await next.exited;
  });

  it('exactly one of several processes racing for a stale lock wins', async () => {
    await using tmp = await makeTempDir();
    const first = spawnTs(holder, [tmp.path]);
    await first.waitForLine((l) => l === 'acquired');
    await first.kill();
    const startAt = String(Date.now() + 1500);
    const racers = Array.from({ length: 4 }, () => spawnTs(holder, [tmp.path, '20000', startAt]));
    try {
      const results = await Promise.all(racers.map((r) => r.waitForLine((l) => l === 'acquired' || l.startsWith('locked'))));
      expect(results.filter((r) => r === 'acquired')).toHaveLength(1);
      expect(results.filter((r) => r === `locked ${ErrorCodes.DATA_DIR_LOCKED}`)).toHaveLength(3);
    } finally {
      await Promise.all(racers.map((r) => r.kill()));
    }
  });
});
