// Relay targets of the outbox benchmark: the embedded IggyTransport (the real path) and an
// instant in-memory target (the outbox's own cost).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventTransport } from '@rustok/core';
import { IggyTransport } from '@rustok/iggy';

/** A relay target and a way to dispose of it. */
export interface BenchTarget {
  target: EventTransport;
  close(): Promise<void>;
}

/** How the embedded engine syncs: the default policy, `interval` every second. */
export const FSYNC = { policy: 'interval', intervalMs: 1000 } as const;

let nextDir = 0;

/** A fresh IggyTransport on the embedded engine in its own data dir under `root` (removed on close). */
export async function iggyTarget(root: string): Promise<BenchTarget> {
  const dataDir = join(root, `iggy-${nextDir++}`);
  const target = await IggyTransport.create({ connector: { mode: 'embedded', embedded: { dataDir, fsync: FSYNC } } });
  return {
    target,
    close: async () => {
      await target.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A target that acknowledges every batch at once: what is left is the outbox's own cost. */
export function instantTarget(): BenchTarget {
  const target: EventTransport = {
    reliability: 'in-memory',
    publish: async (e) => ({ id: e.id }),
    publishBatch: async (envelopes) => envelopes.map((e) => ({ id: e.id })),
    health: async () => ({ status: 'healthy', reliability: 'in-memory', details: {} }),
    close: async () => {},
  };
  return { target, close: () => target.close() };
}
