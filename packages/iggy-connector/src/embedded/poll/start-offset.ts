import { ValidationError } from '@rustok/core';
import type { PollingStrategy } from '../../types';
import type { PartitionLog } from '../log/types';
import { validateOffset } from '../validate';

/** Checks a polling strategy's shape and values (`VALIDATION` on anything else). */
export function validateStrategy(strategy: unknown): PollingStrategy {
  const kind = (strategy as { kind?: unknown } | null)?.kind;
  switch (kind) {
    case 'first':
    case 'last':
    case 'next':
      return strategy as PollingStrategy;
    case 'offset':
    case 'timestamp':
      validateOffset((strategy as { value?: unknown }).value, `strategy.${kind}`);
      return strategy as PollingStrategy;
    default:
      throw new ValidationError('strategy.kind must be offset, timestamp, first, last or next', {
        details: { field: 'strategy' },
      });
  }
}

/**
 * Where a poll starts, or null when nothing can match yet (a timestamp after the newest message).
 * `stored` is the consumer's stored offset ("processed up to and including"), if any.
 */
export async function resolveStartOffset(
  log: PartitionLog,
  strategy: PollingStrategy,
  count: number,
  stored: bigint | undefined,
): Promise<bigint | null> {
  switch (strategy.kind) {
    case 'offset':
      return strategy.value;
    case 'first':
      return log.firstOffset;
    case 'last': {
      const from = log.nextOffset - BigInt(count);
      return from > log.firstOffset ? from : log.firstOffset;
    }
    case 'next':
      return stored === undefined ? 0n : stored + 1n;
    case 'timestamp':
      return log.offsetForTimestamp(strategy.value);
  }
}
