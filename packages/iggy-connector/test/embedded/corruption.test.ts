import { open as openFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@rustok/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/embedded/clock';
import { nodeFileLayer } from '../../src/embedded/fs/node-file-layer';
import { openPartitionLog } from '../../src/embedded/log/partition-log';
import { EmbeddedConnector } from '../../src/index';

/** Partition directory of the first topic of the first stream (see docs/embedded-connector.md). */
const partitionDir = (dataDir: string, partition: number): string =>
  join(dataDir, 'streams', '1', 'topics', '1', 'partitions', String(partition));

describe('embedded corruption handling', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await makeTempDir('rustok-corrupt-');
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('a corrupt record stops only its partition and degrades health', async () => {
    const options = { dataDir: dir.path, segmentBytes: 4096, fsync: { policy: 'never' as const, intervalMs: 1000 } };
    const writer = new EmbeddedConnector(options);
    await writer.ensureStream('s');
    await writer.ensureTopic('s', 't', { partitions: 2 });
    for (let i = 0; i < 60; i++) {
      await writer.send('s', 't', i % 2, [{ payload: Buffer.alloc(200, 120) }]);
    }
    await writer.close();

    // Flip a byte in the middle of partition 0's first (closed) segment.
    const segments = (await readdir(partitionDir(dir.path, 0))).filter((f) => f.endsWith('.log')).sort();
    expect(segments.length).toBeGreaterThan(1);
    const file = await openFile(join(partitionDir(dir.path, 0), segments[0]!), 'r+');
    const { size } = await file.stat();
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, Math.floor(size / 2));
    byte.writeUInt8(byte.readUInt8(0) ^ 0xff, 0);
    await file.write(byte, 0, 1, Math.floor(size / 2));
    await file.close();

    const reader = new EmbeddedConnector(options);
    try {
      const poll = (partition: number) =>
        reader.poll('s', 't', {
          consumer: { kind: 'consumer', id: 1 },
          partition,
          strategy: { kind: 'first' },
          count: 100,
        });
      // A read may first hand out the valid records before the damage; the next one fails.
      const first = await poll(0).catch((e: unknown) => e);
      if (!(first instanceof Error)) expect((first as { messages: unknown[] }).messages.length).toBeLessThan(30);
      const error = await poll(0).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'CORRUPT_RECORD' });
      expect((error as { details: Record<string, unknown> }).details).toMatchObject({
        file: expect.stringContaining(segments[0]!),
      });
      // The partition's reads keep failing; nothing is skipped silently.
      await expect(poll(0)).rejects.toMatchObject({ code: 'CORRUPT_RECORD' });
      // Other partitions keep working, and so do sends.
      expect((await poll(1)).messages).toHaveLength(30);
      await reader.send('s', 't', 0, [{ payload: Buffer.from('still writable') }]);

      const health = await reader.health();
      expect(health.status).toBe('degraded');
      expect(health.location).toBe(dir.path);
      expect(health.problems).toContainEqual(
        expect.objectContaining({
          code: 'CORRUPT_RECORD',
          details: expect.objectContaining({ stream: 's', topic: 't', partition: 0 }),
        }),
      );
      expect(health.lastError?.code).toBe('CORRUPT_RECORD');
    } finally {
      await reader.close();
    }
  });

  it('exposes headers that do not decode as raw bytes, never failing the poll', async () => {
    const connector = new EmbeddedConnector({ dataDir: dir.path });
    await connector.ensureStream('s');
    await connector.ensureTopic('s', 't', { partitions: 1 });
    await connector.send('s', 't', 0, [{ payload: Buffer.from('good'), headers: { a: { kind: 'bool', value: true } } }]);
    await connector.close();

    // Another producer wrote header bytes that are not valid TLV.
    const garbage = Buffer.from([0xff, 0x01, 0x02]);
    const log = await openPartitionLog(partitionDir(dir.path, 0), {
      fsync: 'never',
      fsyncIntervalMs: 1000,
      segmentBytes: 1 << 20,
      segmentMaxAgeMs: 3_600_000,
      clock: systemClock,
      fs: nodeFileLayer,
    });
    await log.append([{ id: 7n, originTimestamp: 1n, payload: Buffer.from('odd'), headers: garbage }]);
    await log.close();

    const reader = new EmbeddedConnector({ dataDir: dir.path });
    try {
      const { messages } = await reader.poll('s', 't', {
        consumer: { kind: 'consumer', id: 1 },
        partition: 0,
        strategy: { kind: 'first' },
        count: 10,
      });
      expect(messages).toHaveLength(2);
      expect(messages[0]!.headers).toEqual({ a: { kind: 'bool', value: true } });
      expect(messages[0]!.rawHeaders).toBeUndefined();
      expect(messages[1]!.headers).toEqual({});
      expect(Buffer.from(messages[1]!.rawHeaders!)).toEqual(garbage);
      expect(messages[1]!.payload.toString()).toBe('odd');
    } finally {
      await reader.close();
    }
  });
});
