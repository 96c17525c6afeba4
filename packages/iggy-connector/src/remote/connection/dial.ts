import { readFileSync } from 'node:fs';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { checkServerIdentity, type PeerCertificate, connect as tlsConnect } from 'node:tls';
import { ConnectionError, ValidationError } from '@rustok/core';

/** TLS settings of a connection. */
export interface TlsSettings {
  enabled: boolean;
  /** PEM file of the CA that signed the server certificate (default: the system roots). */
  caFile?: string | undefined;
  /** Name to verify the certificate against and send as SNI (default: the host). */
  serverName?: string | undefined;
}

/** A parsed `host:port`. */
export interface HostPort {
  host: string;
  port: number;
}

/** Parses `host:port` or `[v6]:port`; throws `VALIDATION` otherwise. */
export function parseAddress(address: string): HostPort {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port < 1 || port > 65_535) {
    throw new ValidationError(`address must be host:port, got "${address}"`, { details: { field: 'address' } });
  }
  return { host: (match[1] ?? match[2]) as string, port };
}

/** Formats a host and port as an address (`[v6]:port` for IPv6). */
export function formatAddress(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Opens a TCP (or TLS) connection to `address` with `TCP_NODELAY`; rejects with a retriable
 * `CONNECTION` error when it cannot be established within `timeoutMs`.
 */
export function dial(address: string, tls: TlsSettings | undefined, timeoutMs: number): Promise<Socket> {
  const { host, port } = parseAddress(address);
  return new Promise<Socket>((resolve, reject) => {
    let settled = false;
    let socket: Socket;
    const fail = (cause: unknown, message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      reject(new ConnectionError(message, { cause, details: { address } }));
    };
    const timer = setTimeout(() => fail(undefined, `connecting to ${address} timed out after ${timeoutMs} ms`), timeoutMs);
    const onReady = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay(true);
      resolve(socket);
    };
    const onError = (error: Error): void => fail(error, `cannot connect to ${address}: ${error.message}`);
    try {
      if (tls?.enabled) {
        const servername = tls.serverName ?? (isIP(host) === 0 ? host : undefined);
        socket = tlsConnect({
          host,
          port,
          ...(servername ? { servername } : {}),
          ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
          ...(tls.serverName ? { checkServerIdentity: checkAgainst(tls.serverName) } : {}),
        });
        socket.once('secureConnect', onReady);
      } else {
        socket = tcpConnect({ host, port });
        socket.once('connect', onReady);
      }
      socket.once('error', onError);
    } catch (error) {
      fail(error, `cannot connect to ${address}: ${(error as Error).message}`);
    }
  });
}

/** Verifies the certificate against `serverName` instead of the dialled host. */
function checkAgainst(serverName: string): (host: string, cert: PeerCertificate) => Error | undefined {
  return (_host, cert) => checkServerIdentity(serverName, cert);
}
