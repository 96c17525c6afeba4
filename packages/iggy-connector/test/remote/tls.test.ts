import { readFileSync } from 'node:fs';
import { isRustokError } from '@rustok/core';
import { generateTestCertificates, hasOpenssl, makeTempDir, type TempDir } from '@rustok/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IggyClient } from '../../src/remote/connection/client';
import { ping } from '../../src/remote/wire/commands/index';
import { ScriptedPeer } from '../support/scripted-peer';

describe.skipIf(!hasOpenssl())('TLS (own CA and certificate)', () => {
  let dir: TempDir;
  let peer: ScriptedPeer;
  let caFile: string;

  beforeAll(async () => {
    dir = await makeTempDir('rustok-tls-');
    const certs = generateTestCertificates(dir.path);
    caFile = certs.caFile;
    peer = await ScriptedPeer.start({ tls: { key: readFileSync(certs.keyFile), cert: readFileSync(certs.certFile) } });
  });

  afterAll(async () => {
    await peer?.close();
    await dir?.cleanup();
  });

  const options = (tls: { enabled: boolean; caFile?: string; serverName?: string }) => ({
    addresses: [peer.address],
    credentials: { kind: 'password' as const, username: 'iggy', password: 'iggy' },
    heartbeatIntervalMs: 0,
    reconnect: { enabled: false },
    tls,
  });

  it('logs in over TLS verifying the server against the CA file and server name', async () => {
    const client = new IggyClient(options({ enabled: true, caFile, serverName: 'localhost' }));
    try {
      await client.connect();
      await client.call(ping, undefined);
      expect(client.server?.protocol).toBe('0.11.0');
    } finally {
      await client.close();
    }
  });

  it('refuses a server its CA did not sign, or a name the certificate does not carry', async () => {
    for (const tls of [{ enabled: true }, { enabled: true, caFile, serverName: 'other.example' }]) {
      const client = new IggyClient(options(tls));
      try {
        const error = await client.connect().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isRustokError(error) && error.code).toBe('CONNECTION');
      } finally {
        await client.close();
      }
    }
  });
});
