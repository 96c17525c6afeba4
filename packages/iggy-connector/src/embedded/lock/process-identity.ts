import { readFile, readlink } from 'node:fs/promises';
import { hostname } from 'node:os';

/** What identifies a process across pid reuse, as far as the OS lets us tell. */
export interface ProcessIdentity {
  pid: number;
  /** Linux: field 22 of /proc/<pid>/stat (start time in clock ticks after boot); else null. */
  startTime: string | null;
  /** Linux: /proc/sys/kernel/random/boot_id; else null. */
  bootId: string | null;
  /** Linux: the pid namespace (e.g. `pid:[4026531836]`); else null. */
  pidNamespace: string | null;
  hostname: string;
}

/** Parses state (field 3) and start time (field 22) out of a /proc/<pid>/stat line. */
export function parseProcStat(line: string): { state: string; startTime: string } | null {
  // Field 2 (comm) is parenthesised and may itself hold spaces or parentheses.
  const close = line.lastIndexOf(')');
  if (close < 0) return null;
  const fields = line.slice(close + 2).split(' ');
  const state = fields[0];
  const startTime = fields[19];
  if (state === undefined || startTime === undefined || !/^\d+$/.test(startTime)) return null;
  return { state, startTime };
}

/** Reads /proc/<pid>/stat; null when unavailable (no such process, or not Linux). */
export async function readProcStat(pid: number): Promise<{ state: string; startTime: string } | null> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** Reads a small text file, trimmed; null when it cannot be read. */
async function readText(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
}

/** The identity of the current process. */
export async function currentProcessIdentity(): Promise<ProcessIdentity> {
  const stat = await readProcStat(process.pid);
  let pidNamespace: string | null = null;
  try {
    pidNamespace = await readlink('/proc/self/ns/pid');
  } catch {
    pidNamespace = null;
  }
  return {
    pid: process.pid,
    startTime: stat?.startTime ?? null,
    bootId: await readText('/proc/sys/kernel/random/boot_id'),
    pidNamespace,
    hostname: hostname(),
  };
}

/** Liveness of a process recorded in a lock: `alive`, `dead`, or `unknown` (cannot tell). */
export type Liveness = 'alive' | 'dead' | 'unknown';

/**
 * Decides whether the process `holder` still runs, seen from `self`. A process on another host
 * or in another pid namespace of the same boot cannot be checked (`unknown`); a holder from an
 * earlier boot of this host is `dead`; otherwise the pid must exist, not be a zombie, and have
 * the recorded start time.
 */
export async function holderLiveness(holder: ProcessIdentity, self: ProcessIdentity): Promise<Liveness> {
  if (holder.hostname !== self.hostname) return 'unknown';
  if (holder.bootId !== null && self.bootId !== null && holder.bootId !== self.bootId) return 'dead';
  if (
    holder.pidNamespace !== null &&
    self.pidNamespace !== null &&
    holder.pidNamespace !== self.pidNamespace
  ) {
    return 'unknown';
  }
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
    // EPERM: the process exists but belongs to another user.
  }
  const stat = await readProcStat(holder.pid);
  if (stat === null) return 'alive';
  if (stat.state === 'Z' || stat.state === 'X') return 'dead';
  if (holder.startTime !== null && stat.startTime !== holder.startTime) return 'dead';
  return 'alive';
}
