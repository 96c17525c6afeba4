import type { EventHandler } from '@rustok/core';
import { TimeoutError } from '@rustok/core';
import { DeadlineQueue } from './deadline-queue';
import { type AttemptOutcome, type AttemptRunner, toFailure } from './outcome';

const ACK: AttemptOutcome = Object.freeze({ kind: 'ack' });

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs a subscribe handler as one attempt: resolving acks, throwing asks for a retry, and taking
 * longer than `timeoutMs` aborts `ctx.signal` and counts as a failed attempt (`TIMEOUT`). All
 * attempts of one runner share one timer (see `DeadlineQueue`); a handler that returns without
 * a promise is done at once and needs no deadline.
 */
export function handlerRunner(handler: EventHandler, timeoutMs: number): AttemptRunner {
  const deadlines = new DeadlineQueue(timeoutMs);
  return (event, ctx, control) => {
    let result: unknown;
    try {
      result = handler(event, ctx);
    } catch (error) {
      return Promise.resolve({ kind: 'retry', error: toFailure(error) });
    }
    if (!isThenable(result)) return Promise.resolve(ACK);
    const pending = result;
    return new Promise<AttemptOutcome>((resolve) => {
      let settled = false;
      const settle = (outcome: AttemptOutcome) => {
        if (settled) return;
        settled = true;
        deadline.cancel();
        resolve(outcome);
      };
      const deadline = deadlines.arm(() => {
        const error = new TimeoutError(`handler exceeded ${timeoutMs} ms`);
        control.controller.abort(error);
        settle({ kind: 'retry', error: toFailure(error) });
      });
      Promise.resolve(pending).then(
        () => settle(ACK),
        (error: unknown) => settle({ kind: 'retry', error: toFailure(error) }),
      );
    });
  };
}
