import type { PartitionLog } from '../log/types';

/**
 * Resolves when `log` gets an append, after `timeoutMs`, or as soon as any of `signals` aborts —
 * whichever comes first. Never rejects.
 */
export function waitForAppend(
  log: PartitionLog,
  timeoutMs: number,
  signals: readonly (AbortSignal | undefined)[],
): Promise<void> {
  return new Promise<void>((resolve) => {
    const active = signals.filter((s): s is AbortSignal => s !== undefined);
    if (timeoutMs <= 0 || active.some((s) => s.aborted)) {
      resolve();
      return;
    }
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      for (const s of active) s.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, timeoutMs);
    const unsubscribe = log.onAppend(finish);
    for (const s of active) s.addEventListener('abort', finish, { once: true });
  });
}
