import { ConnectionError, type EventEnvelope } from '@rustok/core';
import { describe, expect, it } from 'vitest';
import { OrderCreated, orderEvent } from '../../test/helpers/events';
import { FakeTarget } from '../../test/helpers/fake-target';
import { RoutingTransport } from './routing-transport';

/** A fake outbox route that records the options it was called with. */
class RecordingOutbox extends FakeTarget {
  readonly calls: Array<{ ids: string[]; tx: unknown }> = [];
  override async publishBatch(envelopes: readonly EventEnvelope[], options: { tx?: unknown } = {}) {
    this.calls.push({ ids: envelopes.map((e) => e.id), tx: options.tx });
    return super.publishBatch(envelopes);
  }
}

const shipped = (tenantId: string, n: number): EventEnvelope => ({ ...orderEvent(tenantId, n), type: 'order.shipped' });

describe('RoutingTransport', () => {
  it('routes by event definition and passes the transaction to the outbox route only', async () => {
    const outbox = new RecordingOutbox();
    const stream = new FakeTarget();
    const router = new RoutingTransport({ outbox, stream, outboxTypes: [OrderCreated] });
    const a = orderEvent('t1', 1);
    const b = shipped('t1', 2);
    const tx = { fake: 'tx' };
    const receipts = await router.publishBatch([a, b], { tx });
    expect(receipts.map((r) => r.id)).toEqual([a.id, b.id]);
    expect(outbox.calls).toEqual([{ ids: [a.id], tx }]);
    expect(stream.published.map((e) => e.id)).toEqual([b.id]);
    expect(router.routeOf(a)).toBe('outbox');
    expect(router.routeOf(b)).toBe('stream');
  });

  it('lets a routing function decide, falling back to types and the default', async () => {
    const router = new RoutingTransport({
      outbox: new FakeTarget(),
      stream: new FakeTarget(),
      outboxTypes: ['order.shipped'],
      route: (e) => (e.tenantId === 'vip' ? 'outbox' : undefined),
      defaultRoute: 'stream',
    });
    expect(router.routeOf(orderEvent('vip', 1))).toBe('outbox');
    expect(router.routeOf(shipped('t', 1))).toBe('outbox');
    expect(router.routeOf(orderEvent('t', 1))).toBe('stream');
  });

  it('validates the whole batch before sending anything', async () => {
    const outbox = new FakeTarget();
    const stream = new FakeTarget();
    const router = new RoutingTransport({ outbox, stream, outboxTypes: ['order.created'] });
    await expect(router.publishBatch([orderEvent('t', 1), { ...shipped('t', 2), id: 'x' }])).rejects.toMatchObject({
      code: 'ENVELOPE_ID',
    });
    expect(outbox.published).toHaveLength(0);
    expect(stream.published).toHaveLength(0);
  });

  it('reports PARTIAL_PUBLISH when the stream share fails after the outbox share', async () => {
    const outbox = new FakeTarget();
    const stream = new FakeTarget();
    stream.reject = () => new ConnectionError('stream down');
    const router = new RoutingTransport({ outbox, stream, outboxTypes: ['order.created'] });
    const a = orderEvent('t', 1);
    await expect(router.publishBatch([a, shipped('t', 2)])).rejects.toMatchObject({
      code: 'PARTIAL_PUBLISH',
      publishedIds: [a.id],
    });
    await expect(router.publish(shipped('t', 3))).rejects.toMatchObject({ code: 'CONNECTION' });
  });

  it('reports the worse health, and closes both routes', async () => {
    const outbox = new FakeTarget();
    const stream = new FakeTarget();
    stream.health = async () => ({ status: 'degraded', reliability: 'streaming', details: {} });
    let closed = 0;
    outbox.close = async () => void closed++;
    stream.close = async () => void closed++;
    const router = new RoutingTransport({ outbox, stream });
    expect((await router.health()).status).toBe('degraded');
    expect(router.reliability).toBe('streaming');
    await router.close();
    expect(closed).toBe(2);
    await expect(router.publish(orderEvent('t', 1))).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('rejects bad options with VALIDATION', () => {
    expect(() => new RoutingTransport({ outbox: new FakeTarget(), stream: {} as never })).toThrowError(
      expect.objectContaining({ code: 'VALIDATION' }),
    );
  });
});
