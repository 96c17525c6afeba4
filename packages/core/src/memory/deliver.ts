import { setTimeout as sleep } from 'node:timers/promises';
import type { EventEnvelope } from '../envelope/types';
import { TimeoutError } from '../errors/rustok-error';
import type { EventHandler, HandlerContext } from '../transport/types';
import { type ResolvedRetryOptions, retryDelayMs } from './retry';

/** How one subscription handles an event. */
export interface DeliveryPlan {
  group: string;
  handler: EventHandler<unknown>;
  retry: ResolvedRetryOptions;
  handlerTimeoutMs: number;
}

/** Outcome of delivering one event, after all attempts. */
export type DeliveryResult =
  | { ok: true; attempts: number }
  | { ok: false; attempts: number; error: unknown };

/** Observer of failed attempts that will be retried. */
export type RetryObserver = (failedAttempt: number, error: unknown, delayMs: number) => void;

/**
 * Runs the handler until it succeeds or `maxAttempts` attempts failed. An attempt fails when the
 * handler throws, rejects or exceeds `handlerTimeoutMs` (its signal is then aborted).
 */
export async function deliverWithRetry(
  event: EventEnvelope,
  plan: DeliveryPlan,
  onRetry: RetryObserver,
): Promise<DeliveryResult> {
  const traceparent = event.headers.traceparent;
  for (let attempt = 1; ; attempt++) {
    const controller = new AbortController();
    const ctx: HandlerContext = {
      attempt,
      redelivered: attempt > 1,
      signal: controller.signal,
      group: plan.group,
      ...(traceparent === undefined ? {} : { traceparent }),
    };
    try {
      await runAttempt(event, ctx, plan, controller);
      return { ok: true, attempts: attempt };
    } catch (error) {
      if (attempt >= plan.retry.maxAttempts) return { ok: false, attempts: attempt, error };
      const delay = retryDelayMs(plan.retry, attempt);
      onRetry(attempt, error, delay);
      if (delay > 0) await sleep(delay);
    }
  }
}

async function runAttempt(
  event: EventEnvelope,
  ctx: HandlerContext,
  plan: DeliveryPlan,
  controller: AbortController,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimeoutError(
        `handler of group "${plan.group}" exceeded ${plan.handlerTimeoutMs} ms on "${event.type}" (attempt ${ctx.attempt})`,
        { details: { group: plan.group, eventId: event.id, timeoutMs: plan.handlerTimeoutMs } },
      );
      controller.abort(error);
      reject(error);
    }, plan.handlerTimeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(() => plan.handler(event, ctx)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
