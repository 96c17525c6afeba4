/** Reconnect backoff settings. */
export interface BackoffPolicy {
  /** First delay (ms). */
  initialMs: number;
  /** Cap (ms). */
  maxMs: number;
  /** Randomise each delay within [base/2, base] so reconnecting clients spread out. */
  jitter: boolean;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): `initialMs · 2^attempt` capped at
 * `maxMs`; with jitter, a uniformly random value in [half of that, all of it].
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 0), 30);
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  if (!policy.jitter) return base;
  return Math.round(base / 2 + random() * (base / 2));
}
