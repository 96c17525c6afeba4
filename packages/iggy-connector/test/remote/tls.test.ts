import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRustokError } from '@rustok/core';
import { makeTempDir, type TempDir } from '@rustok/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IggyClient } from '../../src/remote/connection/client';
import { ping } from '../../src/remote/wire/commands/index';
import { ScriptedPeer } from '../support/scripted-peer';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Generates a CA and a server certificate for `localhost` / 127.0.0.1 signed by it. */
function makeCertificates(dir: string): { caFile: string; key: Buffer; cert: Buffer } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=rustok test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  const ext = join(dir, 'ext.cnf');
  execFileSync('sh', ['-c', `printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > "${ext}"`]);
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf');
  return { caFile: join(dir, 'ca.pem'), key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) };
}

describe.skipIf(!hasOpenssl())('TLS (own CA and certificate)', () => {
  let dir: TempDir;
  let peer: ScriptedPeer;
  let caFile: string;

  beforeAll(async () => {
    dir = await makeTempDir('rustok-tls-');
    const certs = makeCertificates(dir.path);
    caFile = certs.caFile;
    peer = await ScriptedPeer.start({ tls: { key: certs.key, cert: certs.cert } });
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
