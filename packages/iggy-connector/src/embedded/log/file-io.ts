import type { FileHandleLike } from './types';

/** Reads up to `length` bytes at `position` into `buffer` (from 0); returns bytes read (short at EOF). */
export async function readFully(
  handle: FileHandleLike,
  buffer: Buffer,
  length: number,
  position: number,
): Promise<number> {
  let done = 0;
  while (done < length) {
    const n = await handle.read(buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * Writes all of `buffer` at `position`, looping over short writes. Buffers of at most
 * `inlineMaxBytes` are written with the handle's `writeSync` when it has one.
 */
export async function writeFully(
  handle: FileHandleLike,
  buffer: Buffer,
  position: number,
  inlineMaxBytes = 0,
): Promise<void> {
  let done = 0;
  if (handle.writeSync !== undefined && buffer.length <= inlineMaxBytes) {
    while (done < buffer.length) {
      const n = handle.writeSync(buffer, done, buffer.length - done, position + done);
      if (n <= 0) throw new Error('write made no progress');
      done += n;
    }
    return;
  }
  while (done < buffer.length) {
    const n = await handle.write(buffer, done, buffer.length - done, position + done);
    if (n <= 0) throw new Error('write made no progress');
    done += n;
  }
}
