import { makeTempDir, type TempDir } from '@rustok/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedConnector } from '../../src/index';
import { startChild } from './child';

describe('embedded data dir lock', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await makeTempDir('rustok-lock-');
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('a second opener in the same process gets DATA_DIR_LOCKED', async () => {
    const first = new EmbeddedConnector({ dataDir: dir.path });
    await first.connect();
    const second = new EmbeddedConnector({ dataDir: dir.path });
    await expect(second.connect()).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
    await expect(second.ensureStream('s')).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
    await second.close();
    await first.close();
    const third = new EmbeddedConnector({ dataDir: dir.path });
    await third.connect();
    await third.close();
  });

  it('another process gets DATA_DIR_LOCKED while this one holds the dir', async () => {
    const connector = new EmbeddedConnector({ dataDir: dir.path });
    await connector.connect();
    try {
      const child = startChild(['try', dir.path]);
      expect(await child.line((l) => l.startsWith('ok') || l.startsWith('error'))).toBe(
        'error DATA_DIR_LOCKED',
      );
      await child.exited;
    } finally {
      await connector.close();
    }
  });

  it('this process gets DATA_DIR_LOCKED while another holds it; a SIGKILLed holder does not block', async () => {
    const child = startChild(['hold', dir.path]);
    try {
      await child.line((l) => l === 'ready');
      const blocked = new EmbeddedConnector({ dataDir: dir.path });
      await expect(blocked.connect()).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
      await blocked.close();
    } finally {
      await child.kill();
    }
    const next = new EmbeddedConnector({ dataDir: dir.path });
    await next.connect();
    expect((await next.health()).status).toBe('healthy');
    await next.close();
  });
});
