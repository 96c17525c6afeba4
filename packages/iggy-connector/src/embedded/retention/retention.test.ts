import { join } from 'node:path';
import { makeTempDir } from '@rustok/testkit';
import { describe, expect, it } from 'vitest';
import { openPartitionLog } from '../log/partition-log';
import type { PartitionLog } from '../log/types';
import { makeRecord, testLogOptions } from '../testing/log-fixtures';
import { ManualClock } from '../testing/manual-clock';
import { applyRetention } from './retention';

/** Appends `count` single-record batches, advancing the clock `stepMs` before each. */
async function fill(log: PartitionLog, clock: ManualClock, count: number, stepMs: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    clock.advance(stepMs);
    await log.append([makeRecord(i, 100, 0)]);
  }
}

describe('retention', () => {
  it('deletes closed segments whose newest record is older than maxAgeMs', async () => {
    await using tmp = await makeTempDir();
    const clock = new ManualClock();
    // One 176-byte batch per append (40 header + 32 entry + 100 payload + 4 padding), 3 per segment.
    const log = await openPartitionLog(tmp.path, testLogOptions({ clock, segmentBytes: 528 }));
    await fill(log, clock, 20, 1000);
    const before = log.segments();
    expect(before).toHaveLength(7);
    const newestOfSecond = Number((before[1]?.maxTimestamp ?? 0n) / 1000n);
    // At exactly the age limit nothing of segment 1 expires; 1 ms later segments 0 and 1 go.
    let result = await applyRetention([log], { maxAgeMs: clock.nowMs() - newestOfSecond }, clock.nowMs());
    expect(result.deletedSegments).toBe(1);
    expect(result.deletedBytes).toBe(before[0]?.sizeBytes);
    result = await applyRetention([log], { maxAgeMs: clock.nowMs() - newestOfSecond - 1 }, clock.nowMs());
    expect(result).toEqual({ deletedSegments: 1, deletedBytes: before[1]?.sizeBytes });
    expect(log.firstOffset).toBe(6n);
    expect((await log.read(0n, 1))[0]?.offset).toBe(6n);
    // Everything expired: only the active segment stays, even though it is old too.
    clock.advance(1_000_000);
    result = await applyRetention([log], { maxAgeMs: 1 }, clock.nowMs());
    expect(result.deletedSegments).toBe(4);
    expect(log.segments()).toHaveLength(1);
    expect(log.segments()[0]?.closed).toBe(false);
    expect(log.firstOffset).toBe(18n);
    expect(log.nextOffset).toBe(20n);
    // Disabled rules do nothing.
    expect(await applyRetention([log], {}, clock.nowMs())).toEqual({ deletedSegments: 0, deletedBytes: 0 });
    expect(await applyRetention([log], { maxAgeMs: 0, maxTopicBytes: 0n }, clock.nowMs())).toEqual({
      deletedSegments: 0,
      deletedBytes: 0,
    });
    await log.close();
  });

  it('deletes the oldest closed segments across partitions until the topic fits', async () => {
    await using tmp = await makeTempDir();
    const clock = new ManualClock();
    const options = testLogOptions({ clock, segmentBytes: 528 });
    const p0 = await openPartitionLog(join(tmp.path, '0'), options);
    const p1 = await openPartitionLog(join(tmp.path, '1'), options);
    // p0 is written first (older), then p1; 4 segments each (3 closed).
    await fill(p0, clock, 10, 10);
    await fill(p1, clock, 10, 10);
    const total = p0.sizeBytes() + p1.sizeBytes();
    const segmentBytes = 528;
    // Need to free 4 segments' worth: p0's three closed ones go first (oldest), then p1's oldest.
    const limit = BigInt(total - 4 * segmentBytes);
    const result = await applyRetention([p0, p1], { maxTopicBytes: limit }, clock.nowMs());
    expect(result).toEqual({ deletedSegments: 4, deletedBytes: 4 * segmentBytes });
    expect(p0.segments()).toHaveLength(1);
    expect(p1.segments()).toHaveLength(3);
    expect(p0.firstOffset).toBe(9n);
    expect(p1.firstOffset).toBe(3n);
    expect(BigInt(p0.sizeBytes() + p1.sizeBytes())).toBeLessThanOrEqual(limit);
    // A limit below what active segments hold stops once only active segments remain.
    const again = await applyRetention([p0, p1], { maxTopicBytes: 1n }, clock.nowMs());
    expect(again.deletedSegments).toBe(2);
    expect(p0.segments().every((s) => !s.closed)).toBe(true);
    expect(p1.segments().every((s) => !s.closed)).toBe(true);
    await Promise.all([p0.close(), p1.close()]);
  });
});
