import type { Subscription } from '../transport/types';
import type { DeliveryPlan } from './deliver';

/** What a subscription tells its group; implemented by `MemoryGroup`. */
export interface SubscriptionHost {
  /** The subscription stopped taking new work and waits to be released. */
  subscriptionClosing(sub: MemorySubscription): void;
}

/**
 * One subscription of a MemoryTransport group: a handler with its own concurrency, retry policy
 * and type filter. The group dispatches events to it; `close()` drains its in-flight work.
 */
export class MemorySubscription implements Subscription, AsyncDisposable {
  readonly group: string;
  readonly plan: DeliveryPlan;
  readonly concurrency: number;
  readonly #types: ReadonlySet<string> | undefined;
  readonly #host: SubscriptionHost;
  #active = 0;
  #closed: Promise<void> | undefined;
  #release: (() => void) | undefined;

  /** Used by MemoryTransport; create subscriptions with `transport.subscribe()`. */
  constructor(
    host: SubscriptionHost,
    plan: DeliveryPlan,
    concurrency: number,
    types: readonly string[] | undefined,
  ) {
    this.group = plan.group;
    this.plan = plan;
    this.concurrency = concurrency;
    this.#types = types === undefined ? undefined : new Set(types);
    this.#host = host;
  }

  /** True when this subscription's type filter lets `type` through. */
  accepts(type: string): boolean {
    return this.#types === undefined || this.#types.has(type);
  }

  /** Events being handled now. */
  get active(): number {
    return this.#active;
  }

  /** True once `close()` was called. */
  get closing(): boolean {
    return this.#closed !== undefined;
  }

  /** True when another event may start now. */
  get hasCapacity(): boolean {
    return this.#active < this.concurrency;
  }

  /** Counts an event as started (called by the group). */
  begin(): void {
    this.#active++;
  }

  /** Counts an event as finished (called by the group). */
  end(): void {
    this.#active--;
  }

  /**
   * Stops taking new events and resolves once this subscription's in-flight handlers finished.
   * The last subscription of a group first handles what is still queued for the group.
   */
  close(): Promise<void> {
    if (this.#closed === undefined) {
      this.#closed = new Promise<void>((resolve) => {
        this.#release = resolve;
      });
      this.#host.subscriptionClosing(this);
    }
    return this.#closed;
  }

  /** Resolves `close()` (called by the group when the subscription has left it). */
  released(): void {
    this.#release?.();
  }

  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
