import type { PgPool, PgPoolClient } from './types';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

/**
 * Holds one pool client LISTENing on a channel and calls `onWake` for each notification. When
 * the connection breaks it wakes once (so the relay polls) and reconnects with capped backoff.
 */
export class PgListener {
  readonly #pool: PgPool;
  readonly #channel: string;
  readonly #onWake: () => void;
  #client: PgPoolClient | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryMs = RETRY_MIN_MS;
  #closed = false;

  /** Creates an idle listener; call `start()`. */
  constructor(pool: PgPool, channel: string, onWake: () => void) {
    this.#pool = pool;
    this.#channel = channel;
    this.#onWake = onWake;
  }

  /** Connects and LISTENs; rejects if the first attempt fails. */
  async start(): Promise<void> {
    const client = await this.#pool.connect();
    let failed = false;
    client.on('notification', (message) => {
      if (message.channel === this.#channel) this.#onWake();
    });
    client.on('error', (err) => {
      if (failed) return;
      failed = true;
      this.#dropped(client, err);
    });
    try {
      await client.query(`LISTEN "${this.#channel}"`);
    } catch (err) {
      failed = true;
      client.release(err instanceof Error ? err : true);
      throw err;
    }
    if (this.#closed) {
      client.release(true);
      return;
    }
    this.#client = client;
    this.#retryMs = RETRY_MIN_MS;
  }

  /** Stops listening and discards the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) client.release(true);
  }

  #dropped(client: PgPoolClient, err: Error): void {
    if (this.#client === client) this.#client = undefined;
    client.release(err);
    if (this.#closed) return;
    this.#onWake();
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    this.#retryTimer = setTimeout(() => {
      if (this.#closed) return;
      this.start().catch(() => {
        this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
        this.#scheduleReconnect();
      });
    }, this.#retryMs);
    this.#retryTimer.unref();
  }
}
