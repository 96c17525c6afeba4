import type { EventEnvelope, HandlerContext } from '@rustok/core';
import { ValidationError } from '@rustok/core';
import { describe, expect, it } from 'vitest';
import type { AttemptOutcome } from '../engine/outcome';
import { PendingDelivery } from './delivery';

function make(): { delivery: PendingDelivery; outcomes: AttemptOutcome[]; settled: number[] } {
  const controller = new AbortController();
  const ctx = { attempt: 1, redelivered: false, signal: controller.signal, group: 'g' } as HandlerContext;
  const outcomes: AttemptOutcome[] = [];
  const settled: number[] = [];
  const delivery = new PendingDelivery(
    {} as EventEnvelope,
    ctx,
    { controller, stopping: new AbortController().signal },
    (o) => outcomes.push(o),
    () => settled.push(1),
  );
  return { delivery, outcomes, settled };
}

describe('PendingDelivery', () => {
  it('settles exactly once', () => {
    const { delivery, outcomes, settled } = make();
    expect(delivery.ack()).toBe(true);
    expect(delivery.retry()).toBe(false);
    expect(delivery.deadLetter('late')).toBe(false);
    expect(outcomes).toEqual([{ kind: 'ack' }]);
    expect(settled).toHaveLength(1);
    expect(delivery.isSettled).toBe(true);
  });

  it('maps retry delays and dead-letter reasons', () => {
    const a = make();
    a.delivery.retry(12.7);
    expect(a.outcomes[0]).toMatchObject({ kind: 'retry', delayMs: 12 });
    const b = make();
    b.delivery.deadLetter(new ValidationError('bad payload'));
    expect(b.outcomes[0]).toEqual({
      kind: 'dead-letter',
      error: { code: 'VALIDATION', message: 'bad payload' },
    });
    const c = make();
    c.delivery.deadLetter('unwanted');
    expect(c.outcomes[0]).toEqual({
      kind: 'dead-letter',
      error: { code: 'DEAD_LETTERED', message: 'unwanted' },
    });
  });

  it('times out from hand-out: fails the attempt and aborts the signal', async () => {
    const { delivery, outcomes } = make();
    delivery.handOut(10);
    await new Promise((r) => setTimeout(r, 30));
    expect(outcomes[0]).toMatchObject({ kind: 'retry', error: { code: 'TIMEOUT' } });
    expect(delivery.ctx.signal.aborted).toBe(true);
    expect(delivery.ack()).toBe(false);
  });

  it('abandons without a failure', () => {
    const { delivery, outcomes } = make();
    expect(delivery.abandon()).toBe(true);
    expect(outcomes).toEqual([{ kind: 'abandon' }]);
  });
});
