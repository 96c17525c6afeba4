import { isRustokError } from '@rustok/core';
import {
  generateTestCertificates,
  hasOpenssl,
  IGGY_SERVER_CMD_ENV,
  type IggyProcess,
  makeTempDir,
  startIggyProcess,
  type TempDir,
} from '@rustok/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteConnector, type RemoteConnectorOptionsInput } from '../../src/index';
import { uniqueName } from '../conformance/helpers';

// TLS against a real Iggy 0.9.x server, two ways (each skipped with a reason when unavailable):
//  1. IGGY_TLS_ADDRESS + IGGY_TLS_CA: a TLS server you run, with a certificate signed by that CA
//     (IGGY_TLS_SERVER_NAME when the certificate does not name the dialled host; credentials from
//     IGGY_USERNAME / IGGY_PASSWORD, default iggy/iggy). docs/remote.md shows the openssl steps.
//  2. IGGY_SERVER_CMD: this file makes its own CA and server certificate with openssl in a temp
//     dir and starts a TLS server itself (IGGY_TCP_TLS_ENABLED/CERT_FILE/KEY_FILE).
// Never the certificate shipped in the Iggy repository (it expires, and it is not ours).
const tlsAddress = process.env.IGGY_TLS_ADDRESS?.trim();
const tlsCa = process.env.IGGY_TLS_CA?.trim();
const command = process.env[IGGY_SERVER_CMD_ENV]?.trim();
const openssl = hasOpenssl();

if (!tlsAddress || !tlsCa) console.log('[remote TLS] external server skipped: IGGY_TLS_ADDRESS and IGGY_TLS_CA are not set');
if (!command || !openssl) {
  console.log(
    `[remote TLS] self-started server skipped: ${!command ? `${IGGY_SERVER_CMD_ENV} is not set` : 'openssl is not available'}`,
  );
}

type Tls = NonNullable<RemoteConnectorOptionsInput['tls']>;

/** Connects over TLS, checks health and runs a send/poll round trip in a fresh stream. */
async function roundTrip(base: RemoteConnectorOptionsInput, tls: Tls): Promise<void> {
  const connector = new RemoteConnector({ ...base, tls });
  try {
    await connector.connect();
    const health = await connector.health();
    expect(health).toMatchObject({ status: 'healthy', connected: true, protocol: expect.stringMatching(/^0\.11\./) });
    const stream = uniqueName('tls');
    await connector.ensureStream(stream);
    try {
      await connector.ensureTopic(stream, 't', { partitions: 1 });
      const { baseOffset } = await connector.send(stream, 't', 0, [
        { payload: Buffer.from('over tls') },
        { payload: Buffer.from('still over tls') },
      ]);
      expect(baseOffset).toBe(0n);
      const batch = await connector.poll(stream, 't', {
        consumer: { kind: 'consumer', id: 'tls-check' },
        partition: 0,
        strategy: { kind: 'first' },
        count: 10,
      });
      expect(batch.messages.map((m) => m.payload.toString())).toEqual(['over tls', 'still over tls']);
    } finally {
      await connector.deleteStream(stream);
    }
  } finally {
    await connector.close();
  }
}

/** A connector that must fail to connect with `CONNECTION` (certificate not trusted or wrong name). */
async function refused(base: RemoteConnectorOptionsInput, tls: Tls): Promise<void> {
  const connector = new RemoteConnector({ ...base, tls });
  try {
    const error = await connector.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRustokError(error) && error.code).toBe('CONNECTION');
  } finally {
    await connector.close();
  }
}

describe.skipIf(!tlsAddress || !tlsCa)('TLS against IGGY_TLS_ADDRESS', () => {
  const base: RemoteConnectorOptionsInput = {
    addresses: [tlsAddress!],
    username: process.env.IGGY_USERNAME ?? 'iggy',
    password: process.env.IGGY_PASSWORD ?? 'iggy',
    requestTimeoutMs: 10_000,
  };
  const serverName = process.env.IGGY_TLS_SERVER_NAME?.trim();
  const tls: Tls = { enabled: true, caFile: tlsCa!, ...(serverName ? { serverName } : {}) };

  it('logs in and sends and polls over TLS, verifying the server with the CA', async () => {
    await roundTrip(base, tls);
  });

  it('refuses the server without its CA (system roots only)', async () => {
    await refused(base, { enabled: true, ...(serverName ? { serverName } : {}) });
  });
});

describe.skipIf(!command || !openssl)('TLS with an own CA against a server started here', () => {
  let dir: TempDir;
  let server: IggyProcess;
  let caFile: string;
  let base: RemoteConnectorOptionsInput;

  beforeAll(async () => {
    dir = await makeTempDir('rustok-iggy-tls-');
    const certs = generateTestCertificates(dir.path);
    caFile = certs.caFile;
    server = await startIggyProcess({ command: command!, tls: certs });
    base = { addresses: [server.address], username: server.username, password: server.password, requestTimeoutMs: 10_000 };
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await dir?.cleanup();
  });

  it('logs in and sends and polls over TLS, by IP and by the certificate name', async () => {
    await roundTrip(base, { enabled: true, caFile });
    await roundTrip(base, { enabled: true, caFile, serverName: 'localhost' });
  });

  it('refuses an untrusted CA, a name the certificate lacks, and plain TCP to the TLS port', async () => {
    await refused(base, { enabled: true });
    await refused(base, { enabled: true, caFile, serverName: 'elsewhere.example' });
    const plain = new RemoteConnector({ ...base, requestTimeoutMs: 2_000 });
    try {
      const error = await plain.connect().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isRustokError(error) && error.code).toBe('CONNECTION');
    } finally {
      await plain.close();
    }
  });
});
