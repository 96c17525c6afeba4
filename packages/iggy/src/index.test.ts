import { describe, expect, it } from 'vitest';
import * as api from './index';

describe('public surface', () => {
  it('exports the transport, its options schema and the partitioning rule', () => {
    expect(typeof api.IggyTransport.create).toBe('function');
    expect(api.IggyTransportOptionsSchema.parse({}).stream).toBe('rustok');
    expect(api.tenantPartition('tenant-123', 8)).toBe(1);
    expect(api.HeaderNames.TENANT_ID).toBe('rustok-tenant-id');
    expect(api.DEFAULT_TOPICS.dlq?.partitions).toBe(8);
  });

  it('does not leak internals', () => {
    const names = Object.keys(api);
    for (const internal of ['Publisher', 'MessageCodec', 'AvroCodec', 'FakeConnector', 'scanPartition']) {
      expect(names).not.toContain(internal);
    }
  });
});
