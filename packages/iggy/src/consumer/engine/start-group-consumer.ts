import { parseOptions, type IggySubscribeOptions, SubscribeOptionsSchema } from '../options';
import type { ConsumerDeps } from '../types';
import { type GroupConsumer, startEngine } from './group-consumer';
import { handlerRunner } from './handler-runner';

/**
 * Starts one member of `group` (one `joinGroup` per topic) that runs `options.handler` for each
 * event: at-least-once, in order per tenant, with retries, timeouts and the DLQ.
 */
export async function startGroupConsumer(
  deps: ConsumerDeps,
  group: string,
  options: IggySubscribeOptions,
): Promise<GroupConsumer> {
  const resolved = parseOptions(SubscribeOptionsSchema, options);
  return startEngine(deps, group, resolved, handlerRunner(resolved.handler, resolved.handlerTimeoutMs));
}
