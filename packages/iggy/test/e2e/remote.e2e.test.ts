import { randomBytes } from 'node:crypto';
import { RemoteConnector, resolveConnectorConfig } from '@rustok/iggy-connector';
import { acquireIggy } from '@rustok/testkit';
import { afterAll, describe, it } from 'vitest';
import { runTransportE2E } from './transport-e2e';

// The suite on a real Iggy 0.9.x server: IGGY_ADDRESS (+ IGGY_USERNAME/IGGY_PASSWORD or
// IGGY_TOKEN), else a server started with IGGY_SERVER_CMD, else a testcontainers one when
// Docker answers; skipped with the reason otherwise. Every environment uses its own stream, so
// reruns on one server never meet old data. A crash is the connector vanishing: its members'
// sessions end (the server rebalances) and it commits nothing further.
const acquired = await acquireIggy();

if (acquired.status === 'skipped') {
  console.log(`[remote e2e] ${acquired.reason}`);
  describe.skip('IggyTransport end to end (remote)', () => {
    it('needs an Iggy 0.9.x server (IGGY_ADDRESS, IGGY_SERVER_CMD or Docker)', () => {});
  });
} else {
  const server = acquired.server;
  afterAll(() => server.close());
  const config = resolveConnectorConfig({ mode: 'remote' }, server.env).remote;
  const open = async (): Promise<RemoteConnector> => {
    const connector = new RemoteConnector(config);
    await connector.connect();
    return connector;
  };
  runTransportE2E('remote', async () => {
    const stream = `e2e-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    return {
      stream,
      open,
      crash: (connector) => connector.close(),
      cleanup: async () => {
        const admin = await open();
        try {
          await admin.deleteStream(stream).catch(() => undefined);
        } finally {
          await admin.close();
        }
      },
    };
  });
}
