/** Backoff policy for failed publishes: `min(baseMs · 2^(n−1), maxMs)`, reduced by up to `jitter`. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** Fraction (0–1) of the delay that is randomised away; 0.5 gives a delay in [d/2, d]. */
  jitter: number;
}

/** The default policy of DESIGN §6: 1 s doubling to 60 s, half-jittered. */
export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ baseMs: 1000, maxMs: 60_000, jitter: 0.5 });

/** Delay before attempt `attempt + 1`, after `attempt` (≥ 1) failed attempts. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const full = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(exponent, 52));
  return full * (1 - policy.jitter * random());
}
