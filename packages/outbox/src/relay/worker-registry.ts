import { WorkerIdInUseError } from '../errors';

// Shared by every copy of this package loaded in the process.
const REGISTRY = Symbol.for('rustok.outbox.relay-workers');
type Registry = Map<string, string>;

function registry(): Registry {
  const g = globalThis as { [REGISTRY]?: Registry };
  g[REGISTRY] ??= new Map();
  return g[REGISTRY];
}

/** Reserves `workerId` on `storeKey` in this process; throws `WorkerIdInUseError` if taken. */
export function reserveWorker(storeKey: string, workerId: string, instanceId: string): void {
  const key = `${storeKey}\u0000${workerId}`;
  const holder = registry().get(key);
  if (holder !== undefined && holder !== instanceId) {
    throw new WorkerIdInUseError(workerId, `another relay in this process (pid ${process.pid})`);
  }
  registry().set(key, instanceId);
}

/** Frees a reservation made by `reserveWorker` (only the holder's own). */
export function releaseWorkerReservation(storeKey: string, workerId: string, instanceId: string): void {
  const key = `${storeKey}\u0000${workerId}`;
  if (registry().get(key) === instanceId) registry().delete(key);
}

/** True when a process with this pid exists on this host. */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
