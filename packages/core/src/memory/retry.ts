import { z } from 'zod';

/** Retry policy of a subscription, as a zod schema (every field optional; defaults come from the transport). */
export const RetryOptionsSchema = z.object({
  maxAttempts: z.number().int().min(1).optional(),
  backoff: z.enum(['fixed', 'exponential', 'exponential-jitter']).optional(),
  initialDelayMs: z.number().int().min(0).optional(),
  maxDelayMs: z.number().int().min(0).optional(),
});

/** A retry policy with every field set. */
export interface ResolvedRetryOptions {
  maxAttempts: number;
  backoff: 'fixed' | 'exponential' | 'exponential-jitter';
  initialDelayMs: number;
  maxDelayMs: number;
}

/** MemoryTransport's default retry policy: 3 attempts, 50 ms doubling to at most 5 s, jittered. */
export const DEFAULT_RETRY: ResolvedRetryOptions = Object.freeze({
  maxAttempts: 3,
  backoff: 'exponential-jitter',
  initialDelayMs: 50,
  maxDelayMs: 5_000,
});

/** Fills the fields `override` leaves out from `base`. */
export function mergeRetry(
  base: ResolvedRetryOptions,
  override: z.output<typeof RetryOptionsSchema> | undefined,
): ResolvedRetryOptions {
  return {
    maxAttempts: override?.maxAttempts ?? base.maxAttempts,
    backoff: override?.backoff ?? base.backoff,
    initialDelayMs: override?.initialDelayMs ?? base.initialDelayMs,
    maxDelayMs: override?.maxDelayMs ?? base.maxDelayMs,
  };
}

/**
 * Delay before the attempt that follows failed attempt `failedAttempt` (1-based): fixed, or
 * doubling from `initialDelayMs` up to `maxDelayMs`; jitter picks uniformly in [½·d, d].
 */
export function retryDelayMs(
  retry: ResolvedRetryOptions,
  failedAttempt: number,
  random: () => number = Math.random,
): number {
  if (retry.backoff === 'fixed') return Math.min(retry.initialDelayMs, retry.maxDelayMs);
  const exponent = Math.min(Math.max(failedAttempt - 1, 0), 52);
  const delay = Math.min(retry.initialDelayMs * 2 ** exponent, retry.maxDelayMs);
  if (retry.backoff === 'exponential') return delay;
  return Math.round(delay / 2 + (random() * delay) / 2);
}
