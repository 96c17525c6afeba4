import { EmbeddedConnector } from '@rustok/iggy-connector';
import { makeTempDir } from '@rustok/testkit';
import { runTransportE2E } from './transport-e2e';

// The suite on the embedded engine: each test gets its own data dir; a crash is the connector
// going away without the consumer committing anything further.
runTransportE2E('embedded', async () => {
  const dir = await makeTempDir('rustok-e2e-');
  return {
    stream: 'rustok',
    open: async () => {
      const connector = new EmbeddedConnector({ dataDir: dir.path, fsync: { policy: 'never' } });
      await connector.connect();
      return connector;
    },
    crash: (connector) => connector.close(),
    cleanup: () => dir.cleanup(),
  };
});
