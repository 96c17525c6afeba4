import type { Logger } from '@rustok/core';
import { makeTempDir, type TempDir } from '@rustok/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConnector, EmbeddedConnector } from '../../src/index';

function recordingLogger(): Logger & { lines: { level: string; message: string; fields?: unknown }[] } {
  const lines: { level: string; message: string; fields?: unknown }[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: unknown): void => {
      lines.push({ level, message, fields });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('embedded connector lifecycle', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await makeTempDir('rustok-life-');
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('connects once (idempotent, also implicitly) and logs the data dir once', async () => {
    const logger = recordingLogger();
    const c = new EmbeddedConnector({ dataDir: dir.path, logger });
    await Promise.all([c.connect(), c.connect(), c.ensureStream('s')]);
    await c.connect();
    const mentions = logger.lines.filter(
      (l) => JSON.stringify(l.fields ?? {}).includes(dir.path) && l.level === 'info',
    );
    expect(mentions).toHaveLength(1);
    expect(c.dataDir).toBe(dir.path);
    await c.close();
  });

  it('reports health: unhealthy before connect and after close, healthy while open', async () => {
    const c = new EmbeddedConnector({ dataDir: dir.path });
    expect((await c.health()).status).toBe('unhealthy');
    await c.connect();
    const open = await c.health();
    expect(open).toMatchObject({
      status: 'healthy',
      mode: 'embedded',
      connected: true,
      location: dir.path,
      problems: [],
    });
    await c.close();
    const closed = await c.health();
    expect(closed.status).toBe('unhealthy');
    expect(closed.connected).toBe(false);
  });

  it('close is idempotent; everything after it is CLOSED', async () => {
    const c = new EmbeddedConnector({ dataDir: dir.path });
    await c.ensureStream('s');
    await Promise.all([c.close(), c.close()]);
    await c.close();
    await expect(c.ensureStream('s')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(c.connect()).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(c.getStream('s')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('close wakes long polls and drops members; supports await using', async () => {
    let member: { active: boolean } | undefined;
    let polling: Promise<unknown> | undefined;
    {
      await using c = new EmbeddedConnector({ dataDir: dir.path });
      await c.ensureStream('s');
      await c.ensureTopic('s', 't', { partitions: 1 });
      member = await c.joinGroup('s', 't', 'g');
      polling = c.poll('s', 't', {
        consumer: { kind: 'consumer', id: 1 },
        partition: 0,
        strategy: { kind: 'first' },
        count: 1,
        waitMs: 30_000,
      });
      await new Promise((r) => setTimeout(r, 20));
    }
    const started = Date.now();
    await expect(polling).resolves.toMatchObject({ messages: [] });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(member?.active).toBe(false);
    // The lock is released: the dir opens again.
    const again = new EmbeddedConnector({ dataDir: dir.path });
    await again.connect();
    await again.close();
  });

  it('rejects invalid options with VALIDATION', () => {
    expect(() => new EmbeddedConnector({ segmentBytes: 1 })).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    );
  });

  it('createConnector builds the connector the mode names', async () => {
    const c = createConnector({ embedded: { dataDir: dir.path } }, { env: {} });
    expect(c).toBeInstanceOf(EmbeddedConnector);
    expect(c.mode).toBe('embedded');
    await c.ensureStream('s');
    await c.close();
    const remote = createConnector({}, { env: { RUSTOK_IGGY_MODE: 'remote', IGGY_PASSWORD: 'pw' } });
    expect(remote.mode).toBe('remote');
    await remote.close();
  });

  it('leaveGroup refuses a membership from another connector', async () => {
    const other = await makeTempDir('rustok-life-other-');
    const a = new EmbeddedConnector({ dataDir: dir.path });
    const b = new EmbeddedConnector({ dataDir: other.path });
    try {
      await a.ensureStream('s');
      await a.ensureTopic('s', 't', { partitions: 1 });
      const m = await a.joinGroup('s', 't', 'g');
      await expect(b.leaveGroup(m)).rejects.toMatchObject({ code: 'VALIDATION' });
      await a.leaveGroup(m);
      await a.leaveGroup(m);
    } finally {
      await a.close();
      await b.close();
      await other.cleanup();
    }
  });
});
