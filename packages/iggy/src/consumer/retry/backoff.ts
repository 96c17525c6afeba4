/** Shape of the retry policy the consumer applies between failed handler attempts. */
export interface BackoffPolicy {
  backoff: 'fixed' | 'exponential' | 'exponential-jitter';
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * Delay before the attempt after failed attempt number `attempt` (1-based). `fixed` waits
 * `initialDelayMs`; `exponential` doubles from it up to `maxDelayMs`; `exponential-jitter` picks
 * uniformly in the upper half of the exponential value, so retries of many keys spread out.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const initial = Math.max(0, policy.initialDelayMs);
  const max = Math.max(initial, policy.maxDelayMs);
  if (policy.backoff === 'fixed') return initial;
  const exponent = Math.max(0, Math.min(attempt - 1, 52));
  const capped = Math.min(max, initial * 2 ** exponent);
  if (policy.backoff === 'exponential') return capped;
  const half = capped / 2;
  return Math.round(half + random() * half);
}
