import type { EventEnvelope, Logger, Metrics } from '@rustok/core';
import { SerializationError } from '@rustok/core';
import type { IggyConnector, MessageHeaders, PolledMessage } from '@rustok/iggy-connector';
import { describe, expect, it } from 'vitest';
import { parseOptions, SubscribeOptionsSchema } from '../options';
import type { Permit } from '../scheduling/key-scheduler';
import type { DeadLetterInput } from '../types';
import { handlerRunner } from './handler-runner';
import type { AttemptRunner } from './outcome';
import { ParkingLot } from './parking';
import { type PartitionScope, prepareMessage, processMessage } from './process-message';

const permit: Permit = { pause: (work) => work };

function envelope(tenantId: string, n: number, type = 'order.created'): EventEnvelope {
  const id = `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`;
  return {
    id,
    type,
    schemaVersion: 1,
    tenantId,
    correlationId: id,
    occurredAt: new Date(0).toISOString(),
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    payload: { n },
  };
}

function message(
  offset: bigint,
  body: EventEnvelope | string,
  extra: MessageHeaders = {},
): PolledMessage {
  const headers: MessageHeaders = { ...extra };
  if (typeof body !== 'string') {
    headers['rustok-tenant-id'] ??= { kind: 'string', value: body.tenantId };
    headers['rustok-event-type'] ??= { kind: 'string', value: body.type };
  }
  return {
    id: offset + 1n,
    offset,
    timestamp: 1n,
    originTimestamp: 1n,
    payload: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    headers,
  };
}

interface Harness {
  scope: PartitionScope;
  dead: DeadLetterInput[];
  logs: string[];
  counters: Map<string, number>;
  stop: AbortController;
}

function harness(
  options: Record<string, unknown>,
  runner?: AttemptRunner,
  deadLetter?: (input: DeadLetterInput) => Promise<void>,
): Harness {
  const resolved = parseOptions(SubscribeOptionsSchema, {
    handler: () => {},
    retry: { initialDelayMs: 1, maxDelayMs: 4, maxAttempts: 3 },
    ...options,
  });
  const dead: DeadLetterInput[] = [];
  const logs: string[] = [];
  const counters = new Map<string, number>();
  const log =
    (level: string) =>
    (msg: string): void =>
      void logs.push(`${level}:${msg}`);
  const logger: Logger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
  const metrics: Metrics = {
    increment: (name, value = 1) => void counters.set(name, (counters.get(name) ?? 0) + value),
    observe: () => {},
    gauge: () => {},
  };
  const stop = new AbortController();
  const scope: PartitionScope = {
    deps: {
      connector: {} as IggyConnector,
      stream: 'rustok',
      decode: (m) => {
        try {
          return JSON.parse(m.payload.toString()) as EventEnvelope;
        } catch (cause) {
          throw new SerializationError('not JSON', { code: 'DECODE_FAILED', cause });
        }
      },
      deadLetter: deadLetter ?? (async (input) => void dead.push(input)),
      logger,
      metrics,
    },
    group: 'billing',
    topic: 'domain',
    partition: 2,
    options: resolved,
    runner: runner ?? handlerRunner(resolved.handler, resolved.handlerTimeoutMs),
    parking: new ParkingLot(),
    stopping: stop.signal,
    seenUpTo: 4n,
  };
  return { scope, dead, logs, counters, stop };
}

async function run(h: Harness, m: PolledMessage): Promise<boolean | 'skipped'> {
  const prepared = prepareMessage(h.scope, m);
  if (prepared === null) return 'skipped';
  return processMessage(h.scope, prepared, permit);
}

describe('processMessage', () => {
  it('hands the event and a full context to the handler', async () => {
    const seen: unknown[] = [];
    const resolved = parseOptions(SubscribeOptionsSchema, {
      handler: (event: EventEnvelope, ctx: unknown) => void seen.push(event, ctx),
    });
    const h = harness({}, handlerRunner(resolved.handler, 1000));
    const e = envelope('t1', 1);
    expect(await run(h, message(7n, e))).toBe(true);
    expect(seen[0]).toEqual(e);
    expect(seen[1]).toMatchObject({
      attempt: 1,
      redelivered: false,
      group: 'billing',
      topic: 'domain',
      partition: 2,
      offset: 7n,
      traceparent: e.headers.traceparent,
    });
    // offsets at or below what this process polled before count as redelivered
    await run(h, message(3n, e));
    expect(seen[3]).toMatchObject({ redelivered: true, attempt: 1 });
  });

  it('retries with backoff and succeeds', async () => {
    const attempts: { attempt: number; redelivered: boolean }[] = [];
    const h = harness(
      {},
      handlerRunner(async (_e, ctx) => {
        attempts.push({ attempt: ctx.attempt, redelivered: ctx.redelivered });
        if (ctx.attempt < 3) throw new Error('flaky');
      }, 1000),
    );
    expect(await run(h, message(10n, envelope('t1', 1)))).toBe(true);
    expect(attempts).toEqual([
      { attempt: 1, redelivered: false },
      { attempt: 2, redelivered: true },
      { attempt: 3, redelivered: true },
    ]);
    expect(h.counters.get('rustok.consumer.retries')).toBe(2);
    expect(h.dead).toHaveLength(0);
  });

  it('dead-letters with metadata after maxAttempts', async () => {
    const h = harness(
      {},
      handlerRunner(async () => {
        throw new Error('always');
      }, 1000),
    );
    const m = message(10n, envelope('t1', 1));
    expect(await run(h, m)).toBe(true);
    expect(h.dead).toHaveLength(1);
    const d = h.dead[0]!;
    expect(d).toMatchObject({
      group: 'billing',
      sourceTopic: 'domain',
      partition: 2,
      offset: 10n,
      attempts: 3,
      error: { code: 'HANDLER_FAILED', message: 'always' },
    });
    expect(d.message).toBe(m);
    expect(d.lastFailureAt.getTime()).toBeGreaterThanOrEqual(d.firstFailureAt.getTime());
    expect(h.counters.get('rustok.consumer.dead_letters')).toBe(1);
  });

  it('aborts the signal and counts a timeout as a failed attempt', async () => {
    const signals: AbortSignal[] = [];
    const h = harness(
      { retry: { maxAttempts: 2, initialDelayMs: 1 } },
      handlerRunner(
        (_e, ctx) =>
          new Promise<void>((resolve) => {
            signals.push(ctx.signal);
            ctx.signal.addEventListener('abort', () => resolve());
          }),
        20,
      ),
    );
    expect(await run(h, message(1n, envelope('t1', 1)))).toBe(true);
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
    expect(h.dead[0]?.error.code).toBe('TIMEOUT');
    expect(h.dead[0]?.attempts).toBe(2);
  });

  it('sends an undecodable message straight to the DLQ', async () => {
    let calls = 0;
    const h = harness(
      {},
      handlerRunner(() => void calls++, 1000),
    );
    const bad = message(5n, '{not json', { 'rustok-tenant-id': { kind: 'string', value: 't9' } });
    expect(await run(h, bad)).toBe(true);
    expect(calls).toBe(0);
    expect(h.dead[0]).toMatchObject({ attempts: 0, error: { code: 'DECODE_FAILED' } });
    // without any header the message gets a key of its own
    expect(prepareMessage(h.scope, message(6n, 'garbage'))?.key).toBe('o:6');
  });

  it('skips types not asked for without calling the handler', async () => {
    let calls = 0;
    const h = harness({ types: ['order.paid'] }, handlerRunner(() => void calls++, 1000));
    expect(await run(h, message(1n, envelope('t1', 1, 'order.created')))).toBe('skipped');
    expect(await run(h, message(2n, envelope('t1', 2, 'order.paid')))).toBe(true);
    // no type header: decided after decoding
    const noHeader = message(3n, envelope('t1', 3, 'order.created'), {
      'rustok-event-type': { kind: 'uint8', value: 1 },
    });
    delete noHeader.headers['rustok-event-type'];
    delete noHeader.headers['rustok-tenant-id'];
    expect(await run(h, noHeader)).toBe('skipped');
    expect(calls).toBe(1);
  });

  it('logs and skips failures with deadLetter: false', async () => {
    const h = harness(
      { deadLetter: false },
      handlerRunner(() => {
        throw new Error('nope');
      }, 1000),
    );
    expect(await run(h, message(1n, envelope('t1', 1)))).toBe(true);
    expect(h.dead).toHaveLength(0);
    expect(h.logs).toContain('error:event failed and is skipped (deadLetter: false)');
  });

  it('parks a tenant: later events go to the DLQ as TENANT_PARKED until a redriven one', async () => {
    const handled: number[] = [];
    const h = harness(
      { onDeadLetter: 'park-tenant' },
      handlerRunner((e) => {
        const n = (e.payload as { n: number }).n;
        if (n === 1) throw new Error('poison');
        handled.push(n);
      }, 1000),
    );
    await run(h, message(1n, envelope('a', 1)));
    await run(h, message(2n, envelope('a', 2)));
    await run(h, message(3n, envelope('b', 3)));
    await run(h, message(4n, envelope('a', 4)));
    expect(h.dead.map((d) => [d.offset, d.error.code, d.attempts])).toEqual([
      [1n, 'HANDLER_FAILED', 3],
      [2n, 'TENANT_PARKED', 0],
      [4n, 'TENANT_PARKED', 0],
    ]);
    expect(handled).toEqual([3]);
    const redriven = message(9n, envelope('a', 2), {
      'rustok-redrive-count': { kind: 'string', value: '1' },
    });
    expect(await run(h, redriven)).toBe(true);
    await run(h, message(10n, envelope('a', 5)));
    expect(handled).toEqual([3, 2, 5]);
    expect(h.scope.parking.size).toBe(0);
  });

  it('retries a failing DLQ write and gives up only when stopping', async () => {
    let writes = 0;
    const h = harness(
      {},
      handlerRunner(() => {
        throw new Error('x');
      }, 1000),
      async () => {
        writes += 1;
        if (writes < 3) throw new Error('disk full');
      },
    );
    expect(await run(h, message(1n, envelope('t1', 1)))).toBe(true);
    expect(writes).toBe(3);

    let never = 0;
    const h2 = harness(
      {},
      handlerRunner(() => {
        throw new Error('x');
      }, 1000),
      async () => {
        never += 1;
        if (never === 2) h2.stop.abort();
        throw new Error('down');
      },
    );
    expect(await run(h2, message(1n, envelope('t1', 1)))).toBe(false);
  });

  it('abandons instead of retrying once the partition stops', async () => {
    let calls = 0;
    const h = harness(
      { retry: { maxAttempts: 5, backoff: 'fixed', initialDelayMs: 10_000 } },
      handlerRunner(() => {
        calls += 1;
        throw new Error('x');
      }, 1000),
    );
    const pending = run(h, message(1n, envelope('t1', 1)));
    await new Promise((r) => setTimeout(r, 10));
    h.stop.abort();
    expect(await pending).toBe(false);
    expect(calls).toBe(1);
    expect(h.dead).toHaveLength(0);
  });
});
