import { encodeHeaders, headersByteLength } from '@rustok/iggy-connector';
import { describe, expect, it } from 'vitest';
import { sampleEnvelope } from '../testing/envelopes';
import { EventHeaderCache } from './header-cache';
import { buildEventHeaders } from './headers';

describe('EventHeaderCache', () => {
  it('reuses one sealed header set per type, version and tenant, equal to freshly built headers', () => {
    const cache = new EventHeaderCache('application/json');
    const a = cache.headersOf(sampleEnvelope());
    const b = cache.headersOf(sampleEnvelope({ id: '0190f3a0-1234-7abc-8def-0123456789ac' }));
    expect(b.headers).toBe(a.headers);
    expect(Object.isFrozen(a.headers)).toBe(true);
    const fresh = buildEventHeaders(sampleEnvelope(), 'application/json');
    expect(a.headers).toEqual(fresh);
    expect(a.bytes).toBe(encodeHeaders(fresh).length);
    expect(cache.headersOf(sampleEnvelope({ tenantId: 'other' })).headers).not.toBe(a.headers);
    expect(cache.headersOf(sampleEnvelope({ schemaVersion: 2 })).headers).not.toBe(a.headers);
    expect(cache.headersOf(sampleEnvelope({ type: 'order.paid' })).headers).not.toBe(a.headers);
  });

  it('builds events with a traceparent afresh (their header set is unique)', () => {
    const cache = new EventHeaderCache('application/json');
    const traced = sampleEnvelope({ headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } });
    const first = cache.headersOf(traced);
    expect(cache.headersOf(traced).headers).not.toBe(first.headers);
    expect(first.headers.traceparent).toEqual({ kind: 'string', value: traced.headers.traceparent });
    expect(first.bytes).toBe(headersByteLength(first.headers));
  });

  it('stays bounded: starts over when full', () => {
    const cache = new EventHeaderCache('application/json', 2);
    const first = cache.headersOf(sampleEnvelope({ tenantId: 't1' }));
    cache.headersOf(sampleEnvelope({ tenantId: 't2' }));
    cache.headersOf(sampleEnvelope({ tenantId: 't3' })); // clears, then holds t3
    expect(cache.headersOf(sampleEnvelope({ tenantId: 't1' })).headers).not.toBe(first.headers);
    expect(cache.headersOf(sampleEnvelope({ tenantId: 't1' })).headers).toEqual(first.headers);
  });
});
