import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';
import { RemoteConnector, resolveConnectorConfig } from '../src/index';
import { runConnectorConformance } from './conformance/index';

const MAX_PAYLOAD = 1024 * 1024;

/** Where the remote suite finds a server: `IGGY_ADDRESS`, else (with Docker) a container. */
function target(): { address: string } | { container: string } | { skip: string } {
  const address = process.env.IGGY_ADDRESS?.trim();
  if (address) return { address };
  const docker = process.env.DOCKER_HOST !== undefined || existsSync('/var/run/docker.sock');
  if (docker) return { container: process.env.IGGY_IMAGE ?? 'apache/iggy:0.9.0' };
  return { skip: 'IGGY_ADDRESS is not set and no Docker engine is available to start apache/iggy' };
}

const where = target();

if ('skip' in where) {
  console.log(`[remote conformance] skipped: ${where.skip}`);
  describe.skip('IggyConnector conformance: remote', () => {
    it('needs an Iggy 0.9.x server (set IGGY_ADDRESS)', () => {});
  });
} else {
  runConnectorConformance('remote', async () => {
    let address: string;
    let stopContainer: (() => Promise<void>) | undefined;
    if ('container' in where) {
      const { GenericContainer, Wait } = await import('testcontainers');
      const container = await new GenericContainer(where.container)
        .withEnvironment({
          IGGY_ROOT_USERNAME: 'iggy',
          IGGY_ROOT_PASSWORD: 'iggy',
          IGGY_TCP_ADDRESS: '0.0.0.0:8090',
          IGGY_HTTP_ENABLED: 'false',
        })
        .withExposedPorts(8090)
        .withPrivilegedMode()
        .withWaitStrategy(Wait.forListeningPorts())
        .withStartupTimeout(90_000)
        .start();
      address = `${container.getHost()}:${container.getMappedPort(8090)}`;
      stopContainer = async () => {
        await container.stop();
      };
    } else {
      address = where.address;
    }
    const env = {
      IGGY_ADDRESS: address,
      IGGY_USERNAME: process.env.IGGY_USERNAME ?? 'iggy',
      IGGY_PASSWORD: process.env.IGGY_PASSWORD ?? (process.env.IGGY_TOKEN ? undefined : 'iggy'),
      IGGY_TOKEN: process.env.IGGY_TOKEN,
    };
    const config = resolveConnectorConfig({ mode: 'remote' }, env);
    const connector = new RemoteConnector({ ...config.remote, maxPayloadBytes: MAX_PAYLOAD });
    await connector.connect();
    return {
      connector,
      maxPayloadBytes: MAX_PAYLOAD,
      revokeGatesIdleMove: false,
      settleTimeoutMs: 15_000,
      async cleanup() {
        await connector.close();
        await stopContainer?.();
      },
    };
  });
}
