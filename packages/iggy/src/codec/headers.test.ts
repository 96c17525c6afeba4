import type { EventEnvelope } from '@rustok/core';
import { describe, expect, it } from 'vitest';
import { buildEventHeaders, readEventHeaders } from './headers';

const envelope: EventEnvelope = {
  id: '0190f3a0-1234-7abc-8def-0123456789ab',
  type: 'order.created',
  schemaVersion: 2,
  tenantId: 'tenant-1',
  correlationId: '0190f3a0-1234-7abc-8def-0123456789ab',
  occurredAt: '2024-01-01T00:00:00.000Z',
  headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  payload: {},
};

describe('event headers', () => {
  it('writes the rustok headers as strings and reads them back', () => {
    const headers = buildEventHeaders(envelope, 'application/json');
    expect(headers['content-type']).toEqual({ kind: 'string', value: 'application/json' });
    expect(headers['rustok-schema-version']).toEqual({ kind: 'string', value: '2' });
    const read = readEventHeaders(headers);
    expect(read).toEqual({
      contentType: 'application/json',
      eventType: 'order.created',
      tenantId: 'tenant-1',
      schemaVersion: 2,
      traceparent: envelope.headers.traceparent,
      redriveCount: 0,
      invalid: {},
    });
  });

  it('omits traceparent when the envelope has none', () => {
    const headers = buildEventHeaders({ ...envelope, headers: {} }, 'application/json');
    expect(headers.traceparent).toBeUndefined();
  });

  it('exposes invalid headers from other producers raw, never throwing', () => {
    const raw = new Uint8Array([1, 2, 3]);
    const read = readEventHeaders(
      {
        'content-type': { kind: 'raw', value: raw },
        'rustok-schema-version': { kind: 'string', value: 'two' },
        'rustok-redrive-count': { kind: 'uint32', value: 3 },
        'rustok-tenant-id': { kind: 'bool', value: true },
      },
      new Uint8Array([9]),
    );
    expect(read.contentType).toBeUndefined();
    expect(read.schemaVersion).toBeUndefined();
    expect(read.tenantId).toBeUndefined();
    expect(read.redriveCount).toBe(3);
    expect(read.invalid['content-type']).toEqual({ kind: 'raw', value: raw });
    expect(read.invalid['rustok-schema-version']).toEqual({ kind: 'string', value: 'two' });
    expect(read.invalid['rustok-tenant-id']).toEqual({ kind: 'bool', value: true });
    expect(read.raw).toEqual(new Uint8Array([9]));
  });
});
