import { makeTempDir, type TempDir } from '@rustok/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedConnector } from '../../src/index';
import { FakeClock } from './fake-clock';

const HOUR = 3_600_000;

describe('embedded retention and segment rolling', () => {
  let dir: TempDir;
  let clock: FakeClock;
  let connector: EmbeddedConnector;
  beforeEach(async () => {
    dir = await makeTempDir('rustok-retention-');
    clock = new FakeClock();
    connector = new EmbeddedConnector({
      dataDir: dir.path,
      clock,
      segmentBytes: 4096,
      segmentMaxAgeMs: HOUR,
      fsync: { policy: 'never', intervalMs: 1000 },
    });
    await connector.ensureStream('s');
  });
  afterEach(async () => {
    await connector.close();
    await dir.cleanup();
  });

  const fill = async (topic: string, count: number, partition = 0): Promise<void> => {
    for (let i = 0; i < count; i++) {
      await connector.send('s', topic, partition, [{ payload: Buffer.alloc(200, 97 + (i % 26)) }]);
    }
  };
  const firstOffset = async (topic: string, partition = 0): Promise<bigint | undefined> => {
    const batch = await connector.poll('s', topic, {
      consumer: { kind: 'consumer', id: 1 },
      partition,
      strategy: { kind: 'first' },
      count: 1,
    });
    return batch.messages[0]?.offset;
  };

  it('deletes closed segments older than the topic’s message expiry', async () => {
    await connector.ensureTopic('s', 'expiring', { partitions: 1, messageExpiryMs: HOUR / 2 });
    await fill('expiring', 60);
    expect(await firstOffset('expiring')).toBe(0n);
    expect((await connector.runMaintenance()).deletedSegments).toBe(0);

    clock.advance(HOUR / 2 + 1);
    await fill('expiring', 3); // fresh data in the active segment stays
    const result = await connector.runMaintenance();
    expect(result.deletedSegments).toBeGreaterThan(0);
    expect(result.deletedBytes).toBeGreaterThan(0);
    const first = await firstOffset('expiring');
    expect(first).toBeGreaterThan(0n);
    const topic = await connector.getTopic('s', 'expiring');
    expect(topic!.messagesCount).toBeLessThan(63n);
    expect(topic!.messagesCount).toBeGreaterThanOrEqual(3n);
  });

  it('rolls a quiet active segment by age so a low-volume topic expires too', async () => {
    await connector.ensureTopic('s', 'quiet', { partitions: 1, messageExpiryMs: HOUR });
    await fill('quiet', 2);
    clock.advance(2 * HOUR);
    await connector.runMaintenance(); // rolls the old active segment…
    await connector.runMaintenance(); // …and expires it
    expect(await firstOffset('quiet')).toBeUndefined();
    const { baseOffset } = await connector.send('s', 'quiet', 0, [{ payload: Buffer.from('new') }]);
    expect(baseOffset).toBe(2n);
  });

  it('deletes the oldest closed segments until the topic fits maxTopicBytes', async () => {
    await connector.ensureTopic('s', 'bounded', { partitions: 2, maxTopicBytes: 12_000n });
    await fill('bounded', 60, 0);
    await fill('bounded', 60, 1);
    const before = await connector.getTopic('s', 'bounded');
    expect(before!.sizeBytes).toBeGreaterThan(12_000n);
    const result = await connector.runMaintenance();
    expect(result.deletedSegments).toBeGreaterThan(0);
    const after = await connector.getTopic('s', 'bounded');
    expect(after!.sizeBytes).toBeLessThan(before!.sizeBytes);
    expect(await firstOffset('bounded', 0)).toBeGreaterThan(0n);
  });

  it('keeps topics without retention untouched', async () => {
    await connector.ensureTopic('s', 'forever', { partitions: 1 });
    await fill('forever', 60);
    clock.advance(1000 * HOUR);
    await connector.runMaintenance();
    expect(await firstOffset('forever')).toBe(0n);
    expect((await connector.getTopic('s', 'forever'))!.messagesCount).toBe(60n);
  });
});
