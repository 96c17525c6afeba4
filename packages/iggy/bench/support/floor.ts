// The floor: what the simplest possible durable JSON log costs on this machine. Each envelope is
// `JSON.stringify`-ed, framed with a 4-byte length prefix and appended to one file with plain
// `fs` calls, one write per batch, fsync'ed on the same 'interval' policy as the engine.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventEnvelope } from '@rustok/core';

/** Appends `envelopes` in batches of `batch` to a fresh file in `dir`; returns elapsed ms. */
export async function floorAppend(
  dir: string,
  envelopes: readonly EventEnvelope[],
  batch: number,
  fsyncIntervalMs: number,
): Promise<number> {
  const handle = await open(join(dir, 'floor.log'), 'w');
  let buffer = Buffer.allocUnsafe(1024 * 1024);
  let position = 0;
  let dirty = false;
  let syncing: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (!dirty || syncing) return;
    dirty = false;
    syncing = handle.sync().finally(() => {
      syncing = null;
    });
  }, fsyncIntervalMs);
  const started = performance.now();
  for (let from = 0; from < envelopes.length; from += batch) {
    const end = Math.min(envelopes.length, from + batch);
    let used = 0;
    for (let i = from; i < end; i++) {
      const text = JSON.stringify(envelopes[i]);
      const need = 4 + Buffer.byteLength(text);
      if (used + need > buffer.length) {
        const grown = Buffer.allocUnsafe(Math.max(buffer.length * 2, used + need));
        buffer.copy(grown, 0, 0, used);
        buffer = grown;
      }
      const written = buffer.write(text, used + 4);
      buffer.writeUInt32LE(written, used);
      used += 4 + written;
    }
    await handle.write(buffer, 0, used, position);
    position += used;
    dirty = true;
  }
  const elapsed = performance.now() - started;
  clearInterval(timer);
  await (syncing as Promise<void> | null);
  await handle.close();
  return elapsed;
}
