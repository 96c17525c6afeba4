import type { IggyConnector } from '@rustok/iggy-connector';

/** Standalone consumer used for read-only probes; it never stores an offset. */
const PROBE = { kind: 'consumer', id: 'rustok-offset-probe' } as const;

/** The partition's last offset, or -1n when it holds no message. */
export async function lastOffset(
  connector: IggyConnector,
  stream: string,
  topic: string,
  partition: number,
): Promise<bigint> {
  const batch = await connector.poll(stream, topic, {
    consumer: PROBE,
    partition,
    strategy: { kind: 'last' },
    count: 1,
  });
  return batch.currentOffset;
}

/** Offset of the first message with broker time ≥ `timestamp` (µs), or null when none is. */
export async function offsetAtTimestamp(
  connector: IggyConnector,
  stream: string,
  topic: string,
  partition: number,
  timestamp: bigint,
): Promise<bigint | null> {
  const batch = await connector.poll(stream, topic, {
    consumer: PROBE,
    partition,
    strategy: { kind: 'timestamp', value: timestamp },
    count: 1,
  });
  return batch.messages[0]?.offset ?? null;
}
