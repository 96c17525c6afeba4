import { describe, expect, it } from 'vitest';
import { AttemptContext } from './attempt-context';

const fields = { attempt: 2, redelivered: true, group: 'g', traceparent: 'tp', topic: 't', partition: 3, offset: 7n };

describe('AttemptContext', () => {
  it('exposes the attempt fields and the controller signal', () => {
    const controller = new AbortController();
    const ctx = new AttemptContext(fields, controller);
    expect(ctx).toMatchObject(fields);
    expect(ctx.signal).toBe(controller.signal);
    expect(ctx.signal.aborted).toBe(false);
    controller.abort(new Error('late'));
    expect(ctx.signal.aborted).toBe(true);
  });

  it('reports an abort that happened before the signal was first read', () => {
    const controller = new AbortController();
    const ctx = new AttemptContext(fields, controller);
    const reason = new Error('timed out');
    controller.abort(reason);
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toBe(reason);
  });
});
