import { ErrorCodes } from '@rustok/core';
import type { ConnectorHealth } from '../types';
import type { Engine } from './engine';
import type { DataDirLock } from './lock/data-dir-lock';

/** Engine name and on-disk generation reported by `health()`. */
export const ENGINE_VERSION = 'rustok-embedded/1';

/** Lifecycle states of an embedded connector. */
export type ConnectorState = 'idle' | 'open' | 'closing' | 'closed';

/**
 * Builds the health report: unhealthy when not open or the lock is lost, degraded when a
 * partition has a problem (e.g. `CORRUPT_RECORD`), healthy otherwise. Never throws.
 */
export async function buildHealth(
  engine: Engine,
  state: ConnectorState,
  lock: DataDirLock | null,
): Promise<ConnectorHealth> {
  const problems: ConnectorHealth['problems'] = [];
  for (const runtime of await engine.openRuntimes()) {
    const { stream, topic } = runtime.identity;
    for (const { partition, error } of runtime.problems()) {
      problems.push({
        code: error.code,
        message: error.message,
        details: { ...error.details, stream, topic, partition },
      });
    }
  }
  const connected = state === 'open';
  let lockHeld = true;
  if (connected && lock) {
    lockHeld = await lock.isHeld().catch(() => false);
    if (!lockHeld) {
      problems.push({
        code: ErrorCodes.DATA_DIR_LOCKED,
        message: 'the data dir lock is no longer held by this process',
        details: { dataDir: engine.dataDir },
      });
    }
  }
  if (!connected) {
    problems.push(
      state === 'idle'
        ? { code: 'NOT_CONNECTED', message: 'connector is not connected' }
        : { code: ErrorCodes.CLOSED, message: 'connector is closed' },
    );
  }
  return {
    status: !connected || !lockHeld ? 'unhealthy' : problems.length > 0 ? 'degraded' : 'healthy',
    mode: 'embedded',
    connected,
    serverVersion: ENGINE_VERSION,
    location: engine.dataDir,
    problems,
    ...(engine.lastError ? { lastError: { ...engine.lastError } } : {}),
  };
}
