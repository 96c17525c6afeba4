import { inspect } from 'node:util';
import { isRustokError } from '@rustok/core';
import { describe, expect, it } from 'vitest';
import { IggyClient } from './connection/client';
import { RemoteConnector } from './connector';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('remote options', () => {
  it('invalid options are VALIDATION and never echo secrets', () => {
    for (const make of [
      () => new RemoteConnector({ addresses: ['no-port'], password: 's3cr3t-pw' }),
      () => new RemoteConnector({ requestTimeoutMs: -1, token: 's3cr3t-token' }),
      () => new RemoteConnector({}),
      () => new IggyClient({ addresses: [], credentials: { kind: 'password', username: 'u', password: 's3cr3t-pw' } }),
    ]) {
      const error = thrown(make);
      expect(isRustokError(error) && error.code).toBe('VALIDATION');
      const shown = [String(error), JSON.stringify(error), inspect(error, { depth: 6 })].join('\n');
      expect(shown).not.toContain('s3cr3t');
    }
  });

  it('accepts a resolved remote config and reports remote health before connecting', async () => {
    const connector = new RemoteConnector({ addresses: ['127.0.0.1:1'], password: 'pw' });
    const health = await connector.health();
    expect(health).toMatchObject({ mode: 'remote', connected: false, status: 'unhealthy', protocol: '0.11.0' });
    await connector.close();
    await expect(connector.ensureStream('s')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
