import { acquireIggy } from '@rustok/testkit';
import { afterAll, describe, it } from 'vitest';
import { RemoteConnector, resolveConnectorConfig } from '../src/index';
import { runConnectorConformance } from './conformance/index';

const MAX_PAYLOAD = 1024 * 1024;

// A real Iggy 0.9.x server: IGGY_ADDRESS (+ IGGY_USERNAME/IGGY_PASSWORD or IGGY_TOKEN), else one
// started with IGGY_SERVER_CMD, else a testcontainers one when Docker answers.
const acquired = await acquireIggy();

if (acquired.status === 'skipped') {
  console.log(`[remote conformance] ${acquired.reason}`);
  describe.skip('IggyConnector conformance: remote', () => {
    it('needs an Iggy 0.9.x server (IGGY_ADDRESS, IGGY_SERVER_CMD or Docker)', () => {});
  });
} else {
  const server = acquired.server;
  afterAll(() => server.close());
  runConnectorConformance('remote', async () => {
    const config = resolveConnectorConfig({ mode: 'remote' }, server.env);
    const connector = new RemoteConnector({ ...config.remote, maxPayloadBytes: MAX_PAYLOAD });
    await connector.connect();
    return {
      connector,
      maxPayloadBytes: MAX_PAYLOAD,
      revokeGatesIdleMove: false,
      settleTimeoutMs: 15_000,
      cleanup: () => connector.close(),
    };
  });
}
