import { inspect } from 'node:util';
import { isRustokError } from '@rustok/core';
import { describe, expect, it } from 'vitest';
import { resolveConnectorConfig } from './resolve';
import { ConnectorConfigSchema } from './schema';
import { Secret } from './secret';

const MiB = 1024 * 1024;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('resolveConnectorConfig', () => {
  it('applies the DESIGN defaults', () => {
    const config = resolveConnectorConfig({}, {});
    expect(config.mode).toBe('embedded');
    expect(config.embedded).toEqual({
      dataDir: './.rustok/iggy',
      fsync: { policy: 'interval', intervalMs: 1000 },
      segmentBytes: 64 * MiB,
      segmentMaxAgeMs: 3_600_000,
      maxPayloadBytes: 64_000_000,
      maxHeadersBytes: 100_000,
      inlineWriteMaxBytes: 8 * 1024,
      retentionCheckIntervalMs: 60_000,
    });
    expect(config.remote).toMatchObject({
      addresses: ['127.0.0.1:8090'],
      username: 'iggy',
      requestTimeoutMs: 30_000,
      heartbeatIntervalMs: 5_000,
      reconnect: { initialMs: 100, maxMs: 10_000, jitter: true },
      maxFrameBytes: 64 * MiB,
    });
    expect(config.remote.password).toBeUndefined();
  });

  it('keeps partial nested settings and fills the rest', () => {
    const config = resolveConnectorConfig({ embedded: { fsync: { policy: 'always' } } }, {});
    expect(config.embedded.fsync).toEqual({ policy: 'always', intervalMs: 1000 });
    expect(config.embedded.segmentBytes).toBe(64 * MiB);
  });

  it('takes the mode from RUSTOK_IGGY_MODE only when the config has none', () => {
    const env = { RUSTOK_IGGY_MODE: 'remote', IGGY_PASSWORD: 'pw' };
    expect(resolveConnectorConfig({}, env).mode).toBe('remote');
    expect(resolveConnectorConfig({ mode: 'embedded' }, env).mode).toBe('embedded');
    expect(resolveConnectorConfig({}, { RUSTOK_IGGY_MODE: ' Embedded ' }).mode).toBe('embedded');
    const error = thrown(() => resolveConnectorConfig({}, { RUSTOK_IGGY_MODE: 'cluster' }));
    expect(isRustokError(error) && error.code).toBe('VALIDATION');
  });

  it('never lets IGGY_* variables switch the mode', () => {
    const env = {
      IGGY_ADDRESS: '10.0.0.1:8090',
      IGGY_USERNAME: 'admin',
      IGGY_PASSWORD: 'pw',
      IGGY_TOKEN: 'tok',
    };
    const config = resolveConnectorConfig({}, env);
    expect(config.mode).toBe('embedded');
    expect(config.remote.addresses).toEqual(['127.0.0.1:8090']);
    expect(config.remote.username).toBe('iggy');
    expect(config.remote.password).toBeUndefined();
    expect(config.remote.token).toBeUndefined();
  });

  it('fills remote values from IGGY_* once remote is chosen; explicit config wins', () => {
    const env = {
      IGGY_ADDRESS: '10.0.0.1:8090, 10.0.0.2:8090',
      IGGY_USERNAME: 'admin',
      IGGY_PASSWORD: ' pw with spaces ',
      IGGY_TOKEN: 'tok',
    };
    const config = resolveConnectorConfig({ mode: 'remote' }, env);
    expect(config.remote.addresses).toEqual(['10.0.0.1:8090', '10.0.0.2:8090']);
    expect(config.remote.username).toBe('admin');
    expect(config.remote.password?.reveal()).toBe(' pw with spaces ');
    expect(config.remote.token?.reveal()).toBe('tok');
    const explicit = resolveConnectorConfig(
      { mode: 'remote', remote: { addresses: ['[::1]:9000'], username: 'me', password: 'mine' } },
      env,
    );
    expect(explicit.remote.addresses).toEqual(['[::1]:9000']);
    expect(explicit.remote.username).toBe('me');
    expect(explicit.remote.password?.reveal()).toBe('mine');
  });

  it('requires a password or token in remote mode', () => {
    const error = thrown(() => resolveConnectorConfig({ mode: 'remote' }, {}));
    expect(isRustokError(error) && error.code).toBe('VALIDATION');
    expect(resolveConnectorConfig({ mode: 'remote' }, { IGGY_TOKEN: 't' }).remote.token).toBeInstanceOf(Secret);
  });

  it('rejects invalid values with VALIDATION', () => {
    for (const input of [
      { embedded: { segmentBytes: -1 } },
      { embedded: { fsync: { policy: 'sometimes' } } },
      { mode: 'remote', remote: { addresses: ['no-port'], password: 'x' } },
      { mode: 'remote', remote: { addresses: [], password: 'x' } },
    ]) {
      const error = thrown(() => resolveConnectorConfig(input as never, {}));
      expect(isRustokError(error) && error.code).toBe('VALIDATION');
    }
  });

  it('never shows secrets in JSON, inspect, toString or errors', () => {
    const config = resolveConnectorConfig(
      { mode: 'remote', remote: { password: 's3cr3t-pw', token: 's3cr3t-token' } },
      {},
    );
    const shown = [JSON.stringify(config), inspect(config, { depth: 10 }), String(config.remote.password)];
    for (const text of shown) {
      expect(text).not.toContain('s3cr3t');
      expect(text).toContain('***');
    }
    // A bad config with a secret in it: the error must not echo it.
    const error = thrown(() =>
      resolveConnectorConfig(
        { mode: 'remote', remote: { password: 's3cr3t-pw', addresses: ['bad address'] } },
        { IGGY_TOKEN: 's3cr3t-token' },
      ),
    );
    expect(isRustokError(error)).toBe(true);
    const rendered = [
      String(error),
      (error as Error).message,
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
    ].join('\n');
    expect(rendered).not.toContain('s3cr3t');
  });

  it('accepts an already resolved config again', () => {
    const once = resolveConnectorConfig({ mode: 'remote', remote: { password: 'pw' } }, {});
    const twice = ConnectorConfigSchema.parse(once);
    expect(twice.remote.password?.reveal()).toBe('pw');
  });
});
