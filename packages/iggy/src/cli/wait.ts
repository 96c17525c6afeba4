import { setTimeout as sleep } from 'node:timers/promises';
import { ClosedError, TimeoutError } from '@rustok/core';

/** Options of `waitUntil`. */
export interface WaitOptions {
  /** What is awaited, for the timeout message. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

/** Polls `check` until it returns true; `TIMEOUT` after `timeoutMs`, `CLOSED` when `signal` aborts. */
export async function waitUntil(check: () => Promise<boolean> | boolean, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await check())) {
    if (options.signal?.aborted) throw new ClosedError(`interrupted while waiting for ${options.what}`);
    if (Date.now() > deadline) {
      throw new TimeoutError(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    }
    await sleep(options.intervalMs ?? 20);
  }
}

/** Sleeps `ms`, returning early (without throwing) when `signal` aborts. */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return;
  await sleep(ms, undefined, signal ? { signal } : {}).catch(() => undefined);
}
