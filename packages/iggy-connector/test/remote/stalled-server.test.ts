import { createServer, type Server, type Socket } from 'node:net';
import { isRustokError } from '@rustok/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RemoteConnector } from '../../src/index';

/** A TCP listener on 127.0.0.1 that accepts connections, reads everything and never answers. */
async function silentListener(): Promise<{ server: Server; address: string; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', () => {});
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { server, address: `127.0.0.1:${port}`, sockets };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('a server that accepts and never answers', () => {
  let listener: Awaited<ReturnType<typeof silentListener>>;
  let connector: RemoteConnector;

  beforeEach(async () => {
    listener = await silentListener();
    connector = new RemoteConnector({
      addresses: [listener.address],
      password: 'iggy',
      requestTimeoutMs: 300,
      reconnect: { initialMs: 50, maxMs: 100, jitter: false },
    });
  });

  afterEach(async () => {
    await connector.close();
    for (const socket of listener.sockets) socket.destroy();
    await new Promise<void>((resolve) => listener.server.close(() => resolve()));
  });

  it('a request times out with a typed, retriable TIMEOUT within its budget', async () => {
    const started = Date.now();
    const error = await rejection(connector.ensureStream('never'));
    const elapsed = Date.now() - started;
    expect(isRustokError(error) && error.code).toBe('TIMEOUT');
    expect(isRustokError(error) && error.retriable).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
    // The login on the stalled socket was abandoned: the connection was dropped, not reused.
    expect((await connector.health()).connected).toBe(false);
  });

  it('connect() fails with CONNECTION whose cause is the login TIMEOUT', async () => {
    const error = await rejection(connector.connect());
    expect(isRustokError(error) && error.code).toBe('CONNECTION');
    const cause = (error as { cause?: unknown }).cause;
    expect(isRustokError(cause) && cause.code).toBe('TIMEOUT');
    // The client hung up the stalled connection (a late reply would desynchronise framing).
    const deadline = Date.now() + 2_000;
    while (!listener.sockets.every((s) => s.closed) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(listener.sockets.length).toBeGreaterThan(0);
    expect(listener.sockets.every((s) => s.closed)).toBe(true);
  });
});
