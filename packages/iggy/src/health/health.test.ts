import { describe, expect, it } from 'vitest';
import { FakeConnector } from '../testing/fake-connector';
import type { TopologyReport } from '../topology/topology';
import { computeHealth, type HealthInputs } from './health';

const topology = (mismatches: string[] = []): TopologyReport => ({
  stream: 'rustok',
  topics: { domain: { partitions: 8, configured: 8, created: false } },
  mismatches,
  checkedAt: new Date('2024-01-01T00:00:00Z'),
});

async function inputs(overrides: Partial<HealthInputs> = {}): Promise<HealthInputs> {
  const connector = new FakeConnector();
  await connector.connect();
  connector.health_ = { ...connector.health_, serverVersion: 'embedded-1', location: '/tmp/x' };
  return {
    connector,
    closed: false,
    topology: topology(),
    lastError: undefined,
    groupLags: async () => ({ billing: { total: '3', topics: [] } }),
    ...overrides,
  };
}

describe('computeHealth', () => {
  it('is healthy with details when everything is fine', async () => {
    const health = await computeHealth(await inputs());
    expect(health.status).toBe('healthy');
    expect(health.reliability).toBe('streaming');
    expect(health.details).toMatchObject({
      mode: 'embedded',
      connection: { connected: true, status: 'healthy', location: '/tmp/x' },
      serverVersion: 'embedded-1',
      topology: { ok: true, stream: 'rustok' },
      lastError: null,
      groups: { billing: { total: '3' } },
    });
  });

  it('degrades on a recent error, a topology mismatch in use, or a failing lag check', async () => {
    const now = new Date();
    const recent = await computeHealth(
      await inputs({ lastError: { code: 'CONNECTION', message: 'x', at: now }, now }),
    );
    expect(recent.status).toBe('degraded');
    expect(recent.details.lastError).toMatchObject({ code: 'CONNECTION' });
    const old = await computeHealth(
      await inputs({ lastError: { code: 'CONNECTION', message: 'x', at: new Date(now.getTime() - 120_000) }, now }),
    );
    expect(old.status).toBe('healthy');
    expect((await computeHealth(await inputs({ topology: topology(['domain']) }))).status).toBe('degraded');
    const lagFail = await computeHealth(await inputs({ groupLags: async () => ({ g: { error: 'NOT_FOUND' } }) }));
    expect(lagFail.status).toBe('degraded');
  });

  it('is unhealthy when closed, disconnected or the connector is unhealthy', async () => {
    expect((await computeHealth(await inputs({ closed: true }))).status).toBe('unhealthy');
    const down = await inputs();
    await down.connector.close();
    expect((await computeHealth(down)).status).toBe('unhealthy');
    const broken = await inputs();
    (broken.connector as FakeConnector).health_ = {
      status: 'unhealthy',
      mode: 'embedded',
      connected: true,
      problems: [{ code: 'CORRUPT_RECORD', message: 'bad' }],
    };
    const health = await computeHealth(broken);
    expect(health.status).toBe('unhealthy');
    expect(health.details.problems).toEqual([{ code: 'CORRUPT_RECORD', message: 'bad' }]);
  });
});
