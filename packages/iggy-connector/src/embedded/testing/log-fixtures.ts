import { createHash } from 'node:crypto';
import { nodeFileLayer } from '../fs/node-file-layer';
import type { AppendRecord, Clock, FileLayer, PartitionLogOptions, StoredRecord } from '../log/types';
import { ManualClock } from './manual-clock';

/** Options for tests: small segments, no fsync, a manual clock unless given. */
export function testLogOptions(overrides: Partial<PartitionLogOptions> = {}): PartitionLogOptions {
  return {
    fsync: 'never',
    fsyncIntervalMs: 1000,
    segmentBytes: 64 * 1024,
    segmentMaxAgeMs: 3_600_000,
    clock: new ManualClock() as Clock,
    fs: nodeFileLayer as FileLayer,
    ...overrides,
  };
}

/** A deterministic record whose payload encodes its sequence number. */
export function makeRecord(seq: number, payloadBytes = 16 + (seq % 50), headerBytes = seq % 3 === 0 ? 0 : 7): AppendRecord {
  const payload = Buffer.alloc(payloadBytes);
  for (let i = 0; i < payloadBytes; i++) payload[i] = (seq * 31 + i) & 0xff;
  const headers = Buffer.alloc(headerBytes, seq & 0xff);
  return {
    id: (BigInt(seq) << 70n) | BigInt(seq + 1),
    originTimestamp: BigInt(1_600_000_000_000_000 + seq),
    payload,
    headers,
  };
}

/** Hex sha256 of a byte array (payload digests in crash tests). */
export function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

/** Compares a stored record with the record that was appended. */
export function sameRecord(stored: StoredRecord, appended: AppendRecord): boolean {
  return (
    stored.id === appended.id &&
    stored.originTimestamp === appended.originTimestamp &&
    Buffer.from(appended.payload).equals(stored.payload) &&
    Buffer.from(appended.headers).equals(stored.headers)
  );
}
