import { describe, expect, it } from 'vitest';
import { writeFully } from './file-io';
import type { FileHandleLike } from './types';

/** A handle that records which write path each call took; short writes of at most `step` bytes. */
function recordingHandle(withSync: boolean, step = Number.POSITIVE_INFINITY) {
  const calls: { path: 'sync' | 'async'; position: number; length: number }[] = [];
  const data = Buffer.alloc(1 << 16);
  const write = (path: 'sync' | 'async', buffer: Buffer, offset: number, length: number, position: number) => {
    const n = Math.min(length, step);
    buffer.copy(data, position, offset, offset + n);
    calls.push({ path, position, length: n });
    return n;
  };
  const handle: FileHandleLike = {
    read: async () => 0,
    write: async (buffer, offset, length, position) => write('async', buffer, offset, length, position),
    sync: async () => {},
    truncate: async () => {},
    size: async () => data.length,
    close: async () => {},
    ...(withSync ? { writeSync: (buffer, offset, length, position) => write('sync', buffer, offset, length, position) } : {}),
  };
  return { handle, calls, data };
}

describe('writeFully', () => {
  it('writes buffers up to the inline limit on the calling thread, larger ones through the pool', async () => {
    const { handle, calls } = recordingHandle(true);
    await writeFully(handle, Buffer.alloc(100, 1), 0, 100);
    await writeFully(handle, Buffer.alloc(101, 2), 100, 100);
    expect(calls.map((c) => c.path)).toEqual(['sync', 'async']);
  });

  it('uses the async write when the limit is 0 or the layer has no writeSync', async () => {
    const a = recordingHandle(true);
    await writeFully(a.handle, Buffer.alloc(10), 0, 0);
    const b = recordingHandle(false);
    await writeFully(b.handle, Buffer.alloc(10), 0, 1 << 20);
    expect([...a.calls, ...b.calls].map((c) => c.path)).toEqual(['async', 'async']);
  });

  it('loops over short writes on both paths until every byte is written in place', async () => {
    for (const inline of [0, 1 << 20]) {
      const { handle, calls, data } = recordingHandle(true, 7);
      const bytes = Buffer.from(Array.from({ length: 30 }, (_, i) => i + 1));
      await writeFully(handle, bytes, 5, inline);
      expect(calls.map((c) => c.position)).toEqual([5, 12, 19, 26, 33]);
      expect(data.subarray(5, 35)).toEqual(bytes);
    }
  });
});
