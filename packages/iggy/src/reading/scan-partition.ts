import { randomUUID } from 'node:crypto';
import type {
  Consumer,
  IggyConnector,
  PolledMessage,
  PollingStrategy,
} from '@rustok/iggy-connector';

/** Where a scan starts: an offset, a broker timestamp (µs, inclusive) or the oldest message. */
export type ScanStart =
  | { kind: 'offset'; value: bigint }
  | { kind: 'timestamp'; value: bigint }
  | { kind: 'first' };

/** Options of `scanPartition`. */
export interface ScanOptions {
  start?: ScanStart;
  /** Last offset to read (inclusive); defaults to the partition's last offset when the scan starts. */
  endOffset?: bigint;
  /** Messages per poll (default 1000). */
  batchSize?: number;
  /** Stops the scan early. */
  signal?: AbortSignal;
}

/** A standalone consumer identity for reads that never store offsets (replay, DLQ listing). */
export function throwawayConsumer(purpose: string): Consumer {
  return { kind: 'consumer', id: `rustok-${purpose}-${randomUUID()}` };
}

/**
 * Reads one partition in offset order with explicit offsets, never storing any offset, so no
 * consumer group is touched. Ends at `endOffset` (default: the last offset seen at the start).
 */
export async function* scanPartition(
  connector: IggyConnector,
  stream: string,
  topic: string,
  partition: number,
  options: ScanOptions = {},
): AsyncGenerator<PolledMessage, void, undefined> {
  const consumer = throwawayConsumer('reader');
  const count = options.batchSize ?? 1000;
  let strategy: PollingStrategy = options.start ?? { kind: 'first' };
  let end = options.endOffset;
  for (;;) {
    if (options.signal?.aborted) return;
    const batch = await connector.poll(stream, topic, {
      consumer,
      partition,
      strategy,
      count,
      autoCommit: false,
    });
    end ??= batch.currentOffset;
    if (batch.messages.length === 0) return;
    let last = -1n;
    for (const message of batch.messages) {
      if (message.offset > end) return;
      last = message.offset;
      yield message;
    }
    if (last >= end) return;
    strategy = { kind: 'offset', value: last + 1n };
  }
}
