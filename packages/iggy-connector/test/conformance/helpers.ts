import { randomBytes } from 'node:crypto';
import { isRustokError } from '@rustok/core';
import { expect } from 'vitest';
import type { IggyConnector, PolledMessage } from '../../src/types';

/** What a connector implementation hands to the conformance suite. */
export interface ConformanceTarget {
  connector: IggyConnector;
  /** Closes the connector and removes whatever the target created (temp dirs, …). */
  cleanup(): Promise<void>;
  /** The connector's payload limit, so the suite can send one byte more. */
  maxPayloadBytes: number;
  /** Bound (ms) within which a group assignment must settle. Default 10 000. */
  settleTimeoutMs?: number;
  /**
   * Whether a partition stays with its owner until `onRevoke` resolves even when the owner has
   * nothing in flight. Default true. Iggy 0.9 servers move an idle partition at once (they wait
   * only for polled, uncommitted work), so the remote target sets false.
   */
  revokeGatesIdleMove?: boolean;
}

/** A name unique across runs and processes (safe on a shared server). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** UTF-8 bytes of `text`. */
export function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** Payloads of `messages` as strings. */
export function texts(messages: readonly PolledMessage[]): string[] {
  return messages.map((m) => m.payload.toString('utf8'));
}

/** Asserts that `promise` rejects with a RustokError carrying `code`; returns the error. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<Error> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a rejection with code ${code}`).toBeDefined();
  expect(isRustokError(caught), `expected a RustokError, got ${String(caught)}`).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
  return caught as Error;
}

/** Asserts that calling `fn` throws (sync) or rejects (async) with `code`. */
export async function expectCodeOf(fn: () => unknown, code: string): Promise<Error> {
  return expectCode(
    (async () => {
      await fn();
    })(),
    code,
  );
}

/**
 * Waits until `check` returns true (or stops throwing), polling every 20 ms; fails with
 * `what` after `timeoutMs`. Used to assert that something settles within a bound.
 */
export async function eventually(
  what: string,
  timeoutMs: number,
  check: () => boolean | Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} did not happen within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await sleep(20);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise with its resolve function exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Per-test scratch space: `stream()` creates a uniquely named stream and `dispose()` deletes
 * every stream created, so tests never see each other's data.
 */
export class Scratch {
  readonly #connector: IggyConnector;
  readonly #streams: string[] = [];

  /** Creates scratch space on `connector`. */
  constructor(connector: IggyConnector) {
    this.#connector = connector;
  }

  /** Creates a fresh stream and returns its name. */
  async stream(prefix = 'conf'): Promise<string> {
    const name = uniqueName(prefix);
    await this.#connector.ensureStream(name);
    this.#streams.push(name);
    return name;
  }

  /** Creates a fresh stream with one topic of `partitions` partitions. */
  async topic(partitions = 1, prefix = 'conf'): Promise<{ stream: string; topic: string }> {
    const stream = await this.stream(prefix);
    const topic = 'events';
    await this.#connector.ensureTopic(stream, topic, { partitions });
    return { stream, topic };
  }

  /** Deletes every stream this scratch created (ignoring ones a test deleted itself). */
  async dispose(): Promise<void> {
    for (const name of this.#streams.splice(0)) {
      if (await this.#connector.getStream(name)) await this.#connector.deleteStream(name);
    }
  }
}
