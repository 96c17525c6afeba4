import type { HandlerContext } from '@rustok/core';

/**
 * The handler context of one attempt. `signal` comes from the attempt's controller on first
 * read: most handlers never read it, and creating an `AbortSignal` per event is a measurable
 * share of consuming. Aborting the controller before the first read still yields an aborted
 * signal.
 */
export class AttemptContext implements HandlerContext {
  readonly attempt: number;
  readonly redelivered: boolean;
  readonly group: string;
  readonly traceparent: string | undefined;
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly #controller: AbortController;

  /** A context for one attempt whose `signal` is `controller.signal`. */
  constructor(
    fields: Omit<HandlerContext, 'signal' | 'topic' | 'partition' | 'offset'> & {
      topic: string;
      partition: number;
      offset: bigint;
    },
    controller: AbortController,
  ) {
    this.attempt = fields.attempt;
    this.redelivered = fields.redelivered;
    this.group = fields.group;
    this.traceparent = fields.traceparent;
    this.topic = fields.topic;
    this.partition = fields.partition;
    this.offset = fields.offset;
    this.#controller = controller;
  }

  /** Aborted when the attempt's time budget runs out or the partition stops. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }
}
