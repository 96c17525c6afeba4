import type { EventHandler } from '@rustok/core';
import { TimeoutError } from '@rustok/core';
import { type AttemptOutcome, type AttemptRunner, toFailure } from './outcome';

/**
 * Runs a subscribe handler as one attempt: resolving acks, throwing asks for a retry, and taking
 * longer than `timeoutMs` aborts `ctx.signal` and counts as a failed attempt (`TIMEOUT`).
 */
export function handlerRunner(handler: EventHandler, timeoutMs: number): AttemptRunner {
  return (event, ctx, control) =>
    new Promise<AttemptOutcome>((resolve) => {
      let settled = false;
      const settle = (outcome: AttemptOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const timer = setTimeout(() => {
        const error = new TimeoutError(`handler exceeded ${timeoutMs} ms`);
        control.controller.abort(error);
        settle({ kind: 'retry', error: toFailure(error) });
      }, timeoutMs);
      let result: unknown;
      try {
        result = handler(event, ctx);
      } catch (error) {
        settle({ kind: 'retry', error: toFailure(error) });
        return;
      }
      Promise.resolve(result).then(
        () => settle({ kind: 'ack' }),
        (error: unknown) => settle({ kind: 'retry', error: toFailure(error) }),
      );
    });
}
