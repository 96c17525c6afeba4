import type { EventEnvelope, HandlerContext } from '@rustok/core';
import { TimeoutError } from '@rustok/core';
import { type AttemptControl, type AttemptOutcome, DEAD_LETTERED, toFailure } from '../engine/outcome';

/** One event handed out by `consume()`; settle it exactly once with one of its methods. */
export interface Delivery<TPayload = unknown> {
  readonly event: EventEnvelope<TPayload>;
  readonly ctx: HandlerContext;
  /** Marks the event handled. Returns false when the delivery was already settled or abandoned. */
  ack(): boolean;
  /** Counts a failed attempt and delivers the event again after `delayMs` (default: backoff). */
  retry(delayMs?: number): boolean;
  /** Sends the event to the DLQ now (`DEAD_LETTERED`, or the code of a `RustokError` reason). */
  deadLetter(reason: string | Error): boolean;
}

/**
 * A delivery waiting in the iterator's buffer or held by the caller. Its time budget starts
 * when it is handed out; when it runs out the attempt fails with `TIMEOUT` and `ctx.signal`
 * is aborted.
 */
export class PendingDelivery implements Delivery {
  private settled = false;
  private timer: NodeJS.Timeout | undefined;
  handedOut = false;

  /** Wraps one attempt; `resolve` reports its outcome to the engine. */
  constructor(
    readonly event: EventEnvelope,
    readonly ctx: HandlerContext,
    private readonly control: AttemptControl,
    private readonly resolve: (outcome: AttemptOutcome) => void,
    private readonly onSettled: (delivery: PendingDelivery) => void,
  ) {}

  /** True once acked, retried, dead-lettered, timed out or abandoned. */
  get isSettled(): boolean {
    return this.settled;
  }

  /** Starts the time budget as the caller receives the delivery. */
  handOut(timeoutMs: number): void {
    this.handedOut = true;
    this.timer = setTimeout(() => {
      const error = new TimeoutError(`delivery not settled within ${timeoutMs} ms`);
      this.control.controller.abort(error);
      this.settle({ kind: 'retry', error: toFailure(error) });
    }, timeoutMs);
  }

  /** See `Delivery.ack`. */
  ack(): boolean {
    return this.settle({ kind: 'ack' });
  }

  /** See `Delivery.retry`. */
  retry(delayMs?: number): boolean {
    const delay = delayMs === undefined ? undefined : Math.max(0, Math.floor(delayMs));
    const outcome: AttemptOutcome = {
      kind: 'retry',
      error: { code: 'RETRY_REQUESTED', message: 'the consumer asked for a retry' },
    };
    if (delay !== undefined) outcome.delayMs = delay;
    return this.settle(outcome);
  }

  /** See `Delivery.deadLetter`. */
  deadLetter(reason: string | Error): boolean {
    return this.settle({ kind: 'dead-letter', error: toFailure(reason, DEAD_LETTERED) });
  }

  /** Gives the event back unhandled (the iterator closed or the partition was revoked). */
  abandon(): boolean {
    return this.settle({ kind: 'abandon' });
  }

  private settle(outcome: AttemptOutcome): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    this.resolve(outcome);
    this.onSettled(this);
    return true;
  }
}
