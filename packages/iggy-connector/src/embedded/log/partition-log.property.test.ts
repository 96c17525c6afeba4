import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PowerLossFileLayer } from '../fs/power-loss-file-layer';
import { sameRecord, testLogOptions } from '../testing/log-fixtures';
import { ManualClock } from '../testing/manual-clock';
import { openPartitionLog } from './partition-log';
import type { AppendRecord, PartitionLog, PartitionLogOptions } from './types';

type Op =
  | { kind: 'append'; records: { payload: number; headers: number; id: bigint }[]; advanceMs: number }
  | { kind: 'reopen' }
  | { kind: 'age-roll'; advanceMs: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      records: fc.array(
        fc.record({
          payload: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 900 })),
          headers: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30 })),
          id: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
        }),
        { minLength: 1, maxLength: 12 },
      ),
      advanceMs: fc.integer({ min: 0, max: 3 }),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'reopen' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('age-roll' as const), advanceMs: fc.integer({ min: 0, max: 2000 }) }) },
);

/** Builds the record for model position `n` from generated sizes. */
function build(n: number, spec: { payload: number; headers: number; id: bigint }): AppendRecord {
  const payload = Buffer.alloc(spec.payload);
  for (let i = 0; i < spec.payload; i++) payload[i] = (n * 7 + i * 13) & 0xff;
  return { id: spec.id, originTimestamp: BigInt(n), payload, headers: Buffer.alloc(spec.headers, n & 0xff) };
}

/** Checks the whole log and a few targeted reads against the model. */
async function check(log: PartitionLog, model: readonly AppendRecord[], stamps: readonly bigint[]): Promise<void> {
  expect(log.nextOffset).toBe(BigInt(model.length));
  const all = [];
  for (let from = 0n; ; ) {
    const got = await log.read(from, 9);
    if (got.length === 0) break;
    all.push(...got);
    from = got[got.length - 1]!.offset + 1n;
  }
  expect(all.length).toBe(model.length);
  all.forEach((r, i) => {
    expect(r.offset).toBe(BigInt(i));
    expect(r.timestamp).toBe(stamps[i]);
    expect(sameRecord(r, model[i]!)).toBe(true);
  });
  for (let i = 0; i < model.length; i += Math.max(1, Math.floor(model.length / 7))) {
    expect((await log.read(BigInt(i), 1))[0]?.offset).toBe(BigInt(i));
    const first = stamps.findIndex((s) => s >= stamps[i]!);
    expect(await log.offsetForTimestamp(stamps[i]!)).toBe(BigInt(first));
  }
}

describe('partition log (property)', () => {
  it('random appends, age rolls and reopenings read back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 100, max: 6000 }),
        fc.integer({ min: 1, max: 3000 }),
        async (ops, segmentBytes, indexIntervalBytes) => {
          const fs = new PowerLossFileLayer();
          const clock = new ManualClock();
          const options: PartitionLogOptions = testLogOptions({ fs, clock, segmentBytes, indexIntervalBytes, segmentMaxAgeMs: 1000 });
          let log = await openPartitionLog('/p', options);
          const model: AppendRecord[] = [];
          const stamps: bigint[] = [];
          try {
            for (const op of ops) {
              if (op.kind === 'append') {
                clock.advance(op.advanceMs);
                const records = op.records.map((spec, k) => build(model.length + k, spec));
                const { baseOffset, timestamp } = await log.append(records);
                expect(baseOffset).toBe(BigInt(model.length));
                model.push(...records);
                for (const _ of records) stamps.push(timestamp);
              } else if (op.kind === 'age-roll') {
                clock.advance(op.advanceMs);
                await log.maybeRoll();
              } else {
                await log.close();
                log = await openPartitionLog('/p', options);
                await check(log, model, stamps);
              }
            }
            await check(log, model, stamps);
            expect(log.problems()).toEqual([]);
          } finally {
            await log.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
