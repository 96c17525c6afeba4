import { makeTempDir } from '@rustok/testkit';
import { EmbeddedConnector } from '../src/index';
import { runConnectorConformance } from './conformance/index';

const MAX_PAYLOAD = 1024 * 1024;

runConnectorConformance('embedded', async () => {
  const dir = await makeTempDir('rustok-conformance-');
  const connector = new EmbeddedConnector({
    dataDir: dir.path,
    maxPayloadBytes: MAX_PAYLOAD,
    fsync: { policy: 'never', intervalMs: 1000 },
  });
  await connector.connect();
  return {
    connector,
    maxPayloadBytes: MAX_PAYLOAD,
    settleTimeoutMs: 5_000,
    async cleanup() {
      await connector.close();
      await dir.cleanup();
    },
  };
});
