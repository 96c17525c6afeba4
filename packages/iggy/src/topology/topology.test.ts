import { describe, expect, it } from 'vitest';
import { FakeConnector } from '../testing/fake-connector';
import { ensureTopology, resolveTopics } from './topology';

const DAY = 86_400_000;

describe('topology', () => {
  it('resolves DESIGN defaults and merges overrides per field', () => {
    const topics = resolveTopics({ domain: { partitions: 4 }, audit: {} });
    expect(topics.domain).toEqual({
      partitions: 4,
      messageExpiryMs: 30 * DAY,
      maxTopicBytes: 10n * 1024n ** 3n,
    });
    expect(topics.system).toEqual({ partitions: 8, messageExpiryMs: 7 * DAY });
    expect(topics.dlq).toEqual({ partitions: 8, messageExpiryMs: 365 * DAY });
    expect(topics.audit).toEqual({ partitions: 8 });
  });

  it('creates the stream and topics with partitions and retention', async () => {
    const connector = new FakeConnector();
    const report = await ensureTopology(connector, 'rustok', resolveTopics());
    expect(report.mismatches).toEqual([]);
    expect(report.topics.domain).toEqual({ partitions: 8, configured: 8, created: true });
    const domain = await connector.getTopic('rustok', 'domain');
    expect(domain?.messageExpiryMs).toBe(30 * DAY);
    expect(domain?.maxTopicBytes).toBe(10n * 1024n ** 3n);
    expect((await connector.getTopic('rustok', 'dlq'))?.messageExpiryMs).toBe(365 * DAY);
    const again = await ensureTopology(connector, 'rustok', resolveTopics());
    expect(again.topics.domain?.created).toBe(false);
  });

  it('fails with TOPOLOGY_MISMATCH on a different partition count unless opted in', async () => {
    const connector = new FakeConnector();
    await ensureTopology(connector, 'rustok', resolveTopics({ domain: { partitions: 4 } }));
    await expect(ensureTopology(connector, 'rustok', resolveTopics())).rejects.toMatchObject({
      code: 'TOPOLOGY_MISMATCH',
      details: { mismatches: ['domain'] },
    });
    const report = await ensureTopology(connector, 'rustok', resolveTopics(), {
      useExistingPartitionCount: true,
    });
    expect(report.topics.domain).toEqual({ partitions: 4, configured: 8, created: false });
    expect(report.mismatches).toEqual(['domain']);
  });
});
