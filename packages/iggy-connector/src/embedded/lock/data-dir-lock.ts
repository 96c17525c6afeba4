import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, realpath, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, StorageError } from '@rustok/core';
import {
  currentProcessIdentity,
  holderLiveness,
  type ProcessIdentity,
} from './process-identity';

/** A held data-directory lock. */
export interface DataDirLock extends AsyncDisposable {
  /** The data directory (resolved, absolute). */
  readonly dataDir: string;
  /** The lock file this holder created. */
  readonly file: string;
  /** True while this holder's lock file is still the current one. */
  isHeld(): Promise<boolean>;
  /** Releases the lock. Idempotent. */
  release(): Promise<void>;
}

/** Content of one lock file (JSON). */
interface LockRecord extends ProcessIdentity {
  version: 1;
  state: 'held' | 'released';
  nonce: string;
  at: string;
}

const LOCK_FILE = /^lock\.(\d{20})$/;
const MAX_ATTEMPTS = 50;

/** Data dirs held by this process, shared by every copy of this module loaded in it. */
const held: Set<string> = (() => {
  const key = Symbol.for('rustok.iggy-connector.heldDataDirs');
  const store = globalThis as { [key]?: Set<string> };
  store[key] ??= new Set<string>();
  return store[key];
})();

/** Name of the lock file of generation `gen`. */
export function lockFileName(gen: number): string {
  return `lock.${String(gen).padStart(20, '0')}`;
}

/** The `DATA_DIR_LOCKED` error. */
function lockedError(dataDir: string, message: string, holder?: Partial<ProcessIdentity>): StorageError {
  return new StorageError(message, {
    code: ErrorCodes.DATA_DIR_LOCKED,
    details: { dataDir, pid: holder?.pid ?? null, hostname: holder?.hostname ?? null },
  });
}

/** Generations of the lock files present, highest first. */
async function lockGenerations(dataDir: string): Promise<number[]> {
  const gens: number[] = [];
  for (const name of await readdir(dataDir)) {
    const match = LOCK_FILE.exec(name);
    if (match) gens.push(Number(match[1]));
  }
  return gens.sort((a, b) => b - a);
}

/** Reads a lock file; `missing` when it vanished, `invalid` when it cannot be parsed. */
async function readLock(path: string): Promise<LockRecord | 'missing' | 'invalid'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockRecord>;
    if (
      parsed.version !== 1 ||
      (parsed.state !== 'held' && parsed.state !== 'released') ||
      typeof parsed.pid !== 'number' ||
      typeof parsed.nonce !== 'string' ||
      typeof parsed.hostname !== 'string'
    ) {
      return 'invalid';
    }
    return {
      ...(parsed as LockRecord),
      startTime: parsed.startTime ?? null,
      bootId: parsed.bootId ?? null,
      pidNamespace: parsed.pidNamespace ?? null,
    };
  } catch {
    return 'invalid';
  }
}

/**
 * Creates lock file `gen` holding `record`, atomically and exclusively: the content is written
 * and fsynced to a temp file first, then hard-linked into place (fails if it exists).
 */
async function createLockFile(dataDir: string, gen: number, record: LockRecord): Promise<boolean> {
  const temp = join(dataDir, `.lock-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(`${JSON.stringify(record)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, join(dataDir, lockFileName(gen)));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/** fsyncs a directory. */
async function syncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Removes lock files older than `gen` (best effort: another process may do the same). */
async function removeOlder(dataDir: string, gen: number): Promise<void> {
  for (const old of await lockGenerations(dataDir)) {
    if (old < gen) await unlink(join(dataDir, lockFileName(old))).catch(() => {});
  }
}

/**
 * Takes the exclusive lock of `dataDir` (created if missing) for this process.
 *
 * The lock is a sequence of generation files `lock.<20 digits>`; the highest one is current.
 * A new holder creates the next generation exclusively, so two processes taking over the same
 * stale lock cannot both win. Throws `StorageError` code `DATA_DIR_LOCKED` when a live process
 * (or this process) holds it.
 */
export async function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const dir = await realpath(dataDir);
  if (held.has(dir)) {
    throw lockedError(dir, `data dir ${dir} is already open in this process`, { pid: process.pid });
  }
  held.add(dir);
  try {
    const self = await currentProcessIdentity();
    const record: LockRecord = {
      version: 1,
      state: 'held',
      ...self,
      nonce: randomBytes(16).toString('hex'),
      at: new Date().toISOString(),
    };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const gens = await lockGenerations(dir);
      const current = gens[0];
      let target = 0;
      if (current !== undefined) {
        const existing = await readLock(join(dir, lockFileName(current)));
        if (existing === 'missing') continue;
        if (existing !== 'invalid' && existing.state === 'held') {
          const liveness = await holderLiveness(existing, self);
          if (liveness !== 'dead') {
            const where =
              liveness === 'unknown'
                ? ` on host ${existing.hostname} (cannot verify it from here; if that process is gone, delete ${lockFileName(current)})`
                : '';
            throw lockedError(dir, `data dir ${dir} is locked by process ${existing.pid}${where}`, existing);
          }
        }
        target = current + 1;
      }
      if (await createLockFile(dir, target, record)) {
        await syncDir(dir);
        await removeOlder(dir, target);
        return new HeldLock(dir, target, record);
      }
    }
    throw lockedError(dir, `data dir ${dir}: could not take the lock (contended)`);
  } catch (error) {
    held.delete(dir);
    throw error;
  }
}

/** A lock this process holds. */
class HeldLock implements DataDirLock {
  readonly file: string;
  private released = false;

  constructor(
    readonly dataDir: string,
    private readonly gen: number,
    private readonly record: LockRecord,
  ) {
    this.file = join(dataDir, lockFileName(gen));
  }

  async isHeld(): Promise<boolean> {
    return !this.released && (await this.isHeldAsCurrent());
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      if (await this.isHeldAsCurrent()) {
        const marker: LockRecord = { ...this.record, state: 'released', at: new Date().toISOString() };
        if (await createLockFile(this.dataDir, this.gen + 1, marker)) {
          await unlink(this.file).catch(() => {});
          await syncDir(this.dataDir);
        }
      }
    } finally {
      held.delete(this.dataDir);
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }

  /** Like `isHeld` but ignoring the `released` flag (used while releasing). */
  private async isHeldAsCurrent(): Promise<boolean> {
    const gens = await lockGenerations(this.dataDir);
    if (gens[0] !== this.gen) return false;
    const current = await readLock(this.file);
    return typeof current === 'object' && current.nonce === this.record.nonce;
  }
}
