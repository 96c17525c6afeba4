import { rm } from 'node:fs/promises';
import { IggyTransport } from '@rustok/iggy';
import { registry } from '../events';

/**
 * Step 0: a fresh embedded data dir (removed first, so every run starts clean) and an
 * IggyTransport on it that validates every event against the demo's registry.
 */
export async function openTransport(dataDir: string): Promise<IggyTransport> {
  await rm(dataDir, { recursive: true, force: true });
  return IggyTransport.create({
    registry,
    connector: { mode: 'embedded', embedded: { dataDir } },
  });
}
