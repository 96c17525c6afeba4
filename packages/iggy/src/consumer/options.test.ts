import type { SubscribeOptions } from '@rustok/core';
import { describe, expect, it } from 'vitest';
import {
  ConsumeOptionsSchema,
  type IggySubscribeOptions,
  parseOptions,
  SubscribeOptionsSchema,
} from './options';

describe('SubscribeOptionsSchema', () => {
  it('applies the documented defaults', () => {
    const o = parseOptions(SubscribeOptionsSchema, { handler: () => {} });
    expect(o).toMatchObject({
      concurrency: 16,
      retry: {
        maxAttempts: 5,
        backoff: 'exponential-jitter',
        initialDelayMs: 100,
        maxDelayMs: 30_000,
      },
      handlerTimeoutMs: 30_000,
      topics: ['domain'],
      deadLetter: true,
      onDeadLetter: 'continue',
      startFrom: 'earliest',
      maxInFlightPerPartition: 1000,
      pollBatchSize: 100,
      pollWaitMs: 500,
      commitIntervalMs: 1000,
    });
    expect(o.types).toBeUndefined();
  });

  it("accepts core's SubscribeOptions as they are", () => {
    const core: SubscribeOptions = {
      handler: async () => {},
      types: ['order.created'] as const,
      retry: { maxAttempts: 2 },
    };
    const input: IggySubscribeOptions = core;
    const o = parseOptions(SubscribeOptionsSchema, input);
    expect(o.retry).toMatchObject({ maxAttempts: 2, backoff: 'exponential-jitter' });
    expect(o.types).toEqual(['order.created']);
  });

  it('dedupes topics and takes a timestamp start', () => {
    const o = parseOptions(ConsumeOptionsSchema, {
      topics: ['domain', 'system', 'domain'],
      startFrom: { timestamp: 5n },
    });
    expect(o.topics).toEqual(['domain', 'system']);
    expect(o.startFrom).toEqual({ timestamp: 5n });
  });

  it('rejects bad values with a VALIDATION error naming the field', () => {
    expect(() => parseOptions(SubscribeOptionsSchema, { handler: 1 })).toThrow(
      expect.objectContaining({ code: 'VALIDATION', details: { field: 'handler' } }),
    );
    expect(() =>
      parseOptions(SubscribeOptionsSchema, { handler: () => {}, retry: { maxAttempts: 0 } }),
    ).toThrow(expect.objectContaining({ code: 'VALIDATION', details: { field: 'retry.maxAttempts' } }));
    expect(() => parseOptions(ConsumeOptionsSchema, { topics: [] })).toThrow(/topics/);
    expect(() => parseOptions(ConsumeOptionsSchema, { startFrom: 'middle' })).toThrow(/startFrom/);
  });
});
