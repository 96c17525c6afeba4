import { type GroupConsumer, startEngine } from '../engine/group-consumer';
import type { AttemptOutcome, AttemptRunner } from '../engine/outcome';
import { ConsumeOptionsSchema, type IggyConsumeOptions, parseOptions } from '../options';
import type { ConsumerDeps } from '../types';
import { type Delivery, PendingDelivery } from './delivery';

/** The iterator `consume()` returns; closing it (break, return, close) drains and leaves. */
export interface DeliveryStream extends AsyncIterableIterator<Delivery>, AsyncDisposable {
  /** Abandons unsettled deliveries (they are delivered again later), commits and leaves. */
  close(): Promise<void>;
}

/**
 * Consumes `group` as an async iterator of deliveries. The member joins on the first `next()`;
 * up to `concurrency` deliveries (never two of one tenant) are outstanding at once, and each
 * must be settled with `ack()`, `retry()` or `deadLetter()` within `handlerTimeoutMs`.
 */
export function consumeGroup(
  deps: ConsumerDeps,
  group: string,
  options: IggyConsumeOptions = {},
): DeliveryStream {
  const resolved = parseOptions(ConsumeOptionsSchema, options);
  const buffer: PendingDelivery[] = [];
  const live = new Set<PendingDelivery>();
  const takers: ((result: IteratorResult<Delivery>) => void)[] = [];
  let consumer: Promise<GroupConsumer> | null = null;
  let closing: Promise<void> | null = null;

  const onSettled = (delivery: PendingDelivery) => {
    live.delete(delivery);
    const index = buffer.indexOf(delivery);
    if (index >= 0) buffer.splice(index, 1);
  };

  const runner: AttemptRunner = (event, ctx, control) =>
    new Promise<AttemptOutcome>((resolve) => {
      const delivery = new PendingDelivery(event, ctx, control, resolve, onSettled);
      if (closing !== null) {
        delivery.abandon();
        return;
      }
      live.add(delivery);
      control.stopping.addEventListener(
        'abort',
        () => {
          if (!delivery.handedOut) delivery.abandon();
        },
        { once: true },
      );
      const taker = takers.shift();
      if (taker) {
        delivery.handOut(resolved.handlerTimeoutMs);
        taker({ value: delivery, done: false });
      } else {
        buffer.push(delivery);
      }
    });

  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const taker of takers.splice(0)) taker({ value: undefined, done: true });
      for (const delivery of [...live]) delivery.abandon();
      if (consumer !== null) {
        const started = await consumer.catch(() => null);
        await started?.close();
      }
    })();
    return closing;
  };

  const stream: DeliveryStream = {
    async next(): Promise<IteratorResult<Delivery>> {
      if (closing !== null) return { value: undefined, done: true };
      consumer ??= startEngine(deps, group, resolved, runner);
      await consumer;
      const ready = buffer.shift();
      if (ready !== undefined) {
        ready.handOut(resolved.handlerTimeoutMs);
        return { value: ready, done: false };
      }
      if (closing !== null) return { value: undefined, done: true };
      return new Promise((resolve) => takers.push(resolve));
    },
    async return(): Promise<IteratorResult<Delivery>> {
      await close();
      return { value: undefined, done: true };
    },
    async throw(error?: unknown): Promise<IteratorResult<Delivery>> {
      await close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
  return stream;
}
