import type { PartitionLog } from '../log/types';

/** Signals given a permanent no-op listener (see `keepListenerTable`). */
const primed = new WeakSet<AbortSignal>();
const noop = (): void => {};

/**
 * Gives `signal` one permanent no-op 'abort' listener, once. Node drops a signal's listener
 * table when its last listener leaves and rebuilds it on the next add; a poller that waits once
 * per append would otherwise rebuild it every time (garbage the GC then has to collect).
 */
function keepListenerTable(signal: AbortSignal): void {
  if (primed.has(signal)) return;
  primed.add(signal);
  signal.addEventListener('abort', noop, { once: true });
}

/**
 * Resolves when `log` gets an append (or its readers are woken, e.g. because the topic closes),
 * after `timeoutMs`, or as soon as `signal` aborts — whichever comes first. Never rejects.
 */
export function waitForAppend(log: PartitionLog, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal !== undefined) keepListenerTable(signal);
  return new Promise<void>((resolve) => {
    if (timeoutMs <= 0 || signal?.aborted === true) {
      resolve();
      return;
    }
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, timeoutMs);
    const unsubscribe = log.onAppend(finish);
    signal?.addEventListener('abort', finish, { once: true });
  });
}
