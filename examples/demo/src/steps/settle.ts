import type { IggyTransport } from '@rustok/iggy';
import type { WorkerPool } from './workers';
import { waitFor } from './wait';

/**
 * Waits until every one of `expected` events is accounted for — handled by the workers, or
 * (when `countDeadLetters`) waiting in the DLQ — and the group's committed lag is 0.
 */
export async function settle(
  transport: IggyTransport,
  workers: WorkerPool,
  expected: number,
  countDeadLetters: boolean,
): Promise<void> {
  await waitFor(async () => {
    const parked = countDeadLetters ? (await transport.dlq.summary({ status: 'pending' })).total : 0;
    if (workers.handled() + parked < expected) return false;
    return (await transport.lag(workers.group)).total === 0n;
  }, `group ${workers.group} to settle`);
}
