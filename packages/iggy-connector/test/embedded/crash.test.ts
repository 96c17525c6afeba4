import { makeTempDir, type TempDir } from '@rustok/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedConnector } from '../../src/index';
import { startChild } from './child';

const ROUNDS = Number(process.env.RUSTOK_CONNECTOR_CRASH_ROUNDS ?? '5');

interface Ack {
  partition: number;
  base: bigint;
  count: number;
  round: number;
  seq: number;
}

function expectedPayload(round: number, seq: number, i: number): string {
  return `${round}:${seq}:${i}:${'x'.repeat((seq * 31 + i * 17) % 300)}`;
}

describe('embedded connector crash safety', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await makeTempDir('rustok-crash-');
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it(
    `keeps every acknowledged message and stored offset across ${ROUNDS} SIGKILLs`,
    async () => {
      const acks: Ack[] = [];
      const stored = new Map<number, bigint>();
      for (let round = 0; round < ROUNDS; round++) {
        const child = startChild(['crash', dir.path, String(round)]);
        await child.line((l) => l === 'ready');
        // Let it work for a random while (at least a few acknowledged batches), then kill it.
        await child.line((l) => l.startsWith('ack'));
        await new Promise((r) => setTimeout(r, 30 + Math.floor(Math.random() * 200)));
        await child.kill();
        for (const line of child.lines) {
          const [kind, ...rest] = line.split(' ');
          if (kind === 'ack') {
            const [p, base, count, r, seq] = rest;
            acks.push({
              partition: Number(p),
              base: BigInt(base!),
              count: Number(count),
              round: Number(r),
              seq: Number(seq),
            });
          } else if (kind === 'stored') {
            stored.set(Number(rest[0]), BigInt(rest[1]!));
          }
        }

        const connector = new EmbeddedConnector({ dataDir: dir.path });
        try {
          for (const ack of acks) {
            const batch = await connector.poll('crash', 'events', {
              consumer: { kind: 'consumer', id: 'checker' },
              partition: ack.partition,
              strategy: { kind: 'offset', value: ack.base },
              count: ack.count,
            });
            expect(batch.messages.map((m) => m.offset)).toEqual(
              Array.from({ length: ack.count }, (_, i) => ack.base + BigInt(i)),
            );
            expect(batch.messages.map((m) => m.payload.toString())).toEqual(
              Array.from({ length: ack.count }, (_, i) => expectedPayload(ack.round, ack.seq, i)),
            );
            expect(batch.messages[0]!.headers.seq).toEqual({ kind: 'uint32', value: ack.seq });
          }
          for (const [partition, offset] of stored) {
            const got = await connector.getOffset(
              { kind: 'consumer', id: 'crash-consumer' },
              'crash',
              'events',
              partition,
            );
            // A later store may have completed without being printed, never an earlier one.
            expect(got).not.toBeNull();
            expect(got!).toBeGreaterThanOrEqual(offset);
          }
          expect((await connector.health()).status).toBe('healthy');
        } finally {
          await connector.close();
        }
      }
      expect(acks.length).toBeGreaterThanOrEqual(ROUNDS);
    },
    120_000,
  );
});
