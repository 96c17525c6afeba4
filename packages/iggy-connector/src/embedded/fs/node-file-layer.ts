import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { type FileHandle, access, mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { FileHandleLike, FileLayer } from '../log/types';

/** Wraps a node `FileHandle` in the engine's `FileHandleLike` interface. */
class NodeFileHandle implements FileHandleLike {
  constructor(private readonly handle: FileHandle) {}

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    const { bytesRead } = await this.handle.read(buffer, offset, length, position);
    return bytesRead;
  }

  async write(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    const { bytesWritten } = await this.handle.write(buffer, offset, length, position);
    return bytesWritten;
  }

  writeSync(buffer: Buffer, offset: number, length: number, position: number): number {
    return writeSync(this.handle.fd, buffer, offset, length, position);
  }

  sync(): Promise<void> {
    return this.handle.sync();
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** fsyncs a directory so that entries created, renamed or removed in it survive power loss. */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The default file layer over `node:fs/promises`. */
export const nodeFileLayer: FileLayer = Object.freeze({
  async open(path: string, mode: 'r' | 'r+' | 'w+' | 'a+'): Promise<FileHandleLike> {
    return new NodeFileHandle(await open(path, mode));
  },
  readFile(path: string): Promise<Buffer> {
    return readFile(path);
  },
  async writeFileAtomic(path: string, data: Buffer): Promise<void> {
    const dir = dirname(path);
    const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(temp, 'w');
    try {
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await handle.write(data, written, data.length - written, written);
        written += bytesWritten;
      }
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => {});
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    try {
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await syncDirectory(dir);
  },
  rename(from: string, to: string): Promise<void> {
    return rename(from, to);
  },
  unlink(path: string): Promise<void> {
    return unlink(path);
  },
  async mkdir(path: string): Promise<void> {
    await mkdir(path, { recursive: true });
  },
  readdir(path: string): Promise<string[]> {
    return readdir(path);
  },
  rm(path: string): Promise<void> {
    return rm(path, { recursive: true, force: true });
  },
  async exists(path: string): Promise<boolean> {
    try {
      await access(path);
      return true;
    } catch {
      return false;
    }
  },
  syncDir(path: string): Promise<void> {
    return syncDirectory(path);
  },
});
