import { createEvent, defineEvent, type EventEnvelope } from '@rustok/core';
import type { IggyConnector } from '@rustok/iggy-connector';
import { z } from 'zod';

/** The storage the suite runs against, opened as often as a test needs (e.g. after a crash). */
export interface E2EEnvironment {
  /** Stream name used by this environment's transports (unique per environment). */
  readonly stream: string;
  /** Opens a connector to this environment's storage. */
  open(): Promise<IggyConnector>;
  /**
   * Makes `connector` vanish the way a crashed process does: its group members disappear and
   * nothing it still has in flight is committed afterwards.
   */
  crash(connector: IggyConnector): Promise<void>;
  /** Releases the storage (temp dirs, server streams). */
  cleanup(): Promise<void>;
}

/** Creates a fresh environment for one test. */
export type E2EEnvironmentFactory = () => Promise<E2EEnvironment>;

/** The event every scenario publishes: tenant-scoped sequence numbers. */
export const Step = defineEvent({
  type: 'e2e.step',
  version: 1,
  payload: z.object({ seq: z.number().int().nonnegative(), phase: z.number().int() }),
});

/** The payload of a `Step`. */
export type StepPayload = { seq: number; phase: number };

/** `perTenant` steps for each of `tenants`, interleaved across tenants in publish order. */
export function steps(tenants: readonly string[], perTenant: number, phase = 0): EventEnvelope[] {
  const out: EventEnvelope[] = [];
  for (let seq = 0; seq < perTenant; seq++) {
    for (const tenantId of tenants) out.push(createEvent(Step, { tenantId, payload: { seq, phase } }));
  }
  return out;
}

/** Tenant ids `prefix-0` … `prefix-(n-1)`. */
export function tenantIds(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 5 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * Checks one tenant's delivery sequence: it starts at 0, never skips ahead, and every forward
 * step is +1 (a redelivery may rewind, then continues in order). Returns a problem or null.
 */
export function orderProblem(seqs: readonly number[], expectedCount: number): string | null {
  if (seqs[0] !== 0) return `starts at ${seqs[0]}`;
  let max = 0;
  for (let i = 1; i < seqs.length; i++) {
    const prev = seqs[i - 1]!;
    const cur = seqs[i]!;
    if (cur > max + 1) return `skips from ${max} to ${cur}`;
    if (cur > prev && cur !== prev + 1) return `jumps from ${prev} to ${cur}`;
    max = Math.max(max, cur);
  }
  const distinct = new Set(seqs).size;
  return distinct === expectedCount ? null : `has ${distinct} of ${expectedCount} events`;
}

/** Like `waitFor`, for a condition that has to be read asynchronously (polled every 25 ms). */
export async function eventually(
  condition: () => Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** The smallest of some bigints (broker timestamps); they are not numbers, so no `Math.min`. */
export function minBigInt(values: readonly bigint[]): bigint {
  let min = values[0];
  if (min === undefined) throw new RangeError('no values');
  for (const v of values) if (v < min) min = v;
  return min;
}
