import { randomBytes } from 'node:crypto';
import { type IggyConnector, RemoteConnector, resolveConnectorConfig } from '@rustok/iggy-connector';
import { describe, it } from 'vitest';
import { runTransportE2E } from './transport-e2e';

const address = process.env.IGGY_ADDRESS?.trim();

if (!address) {
  console.log('[remote e2e] skipped: IGGY_ADDRESS is not set');
  describe.skip('IggyTransport end to end (remote)', () => {
    it('needs an Iggy 0.9.x server (set IGGY_ADDRESS)', () => {});
  });
} else {
  const env = {
    IGGY_ADDRESS: address,
    IGGY_USERNAME: process.env.IGGY_USERNAME ?? 'iggy',
    IGGY_PASSWORD: process.env.IGGY_PASSWORD ?? (process.env.IGGY_TOKEN ? undefined : 'iggy'),
    IGGY_TOKEN: process.env.IGGY_TOKEN,
  };
  const config = resolveConnectorConfig({ mode: 'remote' }, env).remote;
  const open = async (): Promise<RemoteConnector> => {
    const connector = new RemoteConnector(config);
    await connector.connect();
    return connector;
  };
  runTransportE2E('remote', async () => {
    const stream = `e2e-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    return {
      stream,
      open: open as () => Promise<IggyConnector>,
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
