import { createEvent, defineEvent, type EventEnvelope } from '@rustok/core';
import { EmbeddedConnector } from '@rustok/iggy-connector';
import { makeTempDir, type TempDir } from '@rustok/testkit';
import { z } from 'zod';
import { IggyTransport, type IggyTransportOptions } from '../src/index';
import { OrderCreated } from '../src/testing/events';

/** `order.created` v1 with an Avro schema for its payload. */
export { OrderCreated };

/** `order.paid` v1 (no Avro schema). */
export const OrderPaid = defineEvent({
  type: 'order.paid',
  version: 1,
  payload: z.object({ orderId: z.string() }),
});

/** `platform.notice` v1: allowed for the platform tenant (nil UUID). */
export const PlatformNotice = defineEvent({
  type: 'platform.notice',
  version: 1,
  payload: z.object({ text: z.string() }),
  platformScope: true,
});

/** A valid `order.created` for `tenantId`. */
export function order(tenantId: string, n: number, occurredAt?: Date): EventEnvelope {
  return createEvent(OrderCreated, {
    tenantId,
    payload: { orderId: `o-${n}`, amount: n },
    ...(occurredAt ? { occurredAt } : {}),
  });
}

/** A valid `platform.notice` for `tenantId` (any tenant, including the platform's). */
export function notice(tenantId: string, n: number): EventEnvelope {
  return createEvent(PlatformNotice, { tenantId, payload: { text: `notice ${n}` } });
}

/** A valid `order.paid` for `tenantId`. */
export function paid(tenantId: string, n: number): EventEnvelope {
  return createEvent(OrderPaid, { tenantId, payload: { orderId: `o-${n}` } });
}

/** A temp data dir, an embedded connector on it and a transport; `cleanup()` closes all. */
export interface Harness {
  dir: TempDir;
  connector: EmbeddedConnector;
  transport: IggyTransport;
  cleanup(): Promise<void>;
}

/** Opens a transport on a fresh embedded data dir (fsync off: tests do not need durability). */
export async function openHarness(options: Omit<IggyTransportOptions, 'connector'> = {}): Promise<Harness> {
  const dir = await makeTempDir('rustok-iggy-');
  const connector = new EmbeddedConnector({ dataDir: dir.path, fsync: { policy: 'never' } });
  const transport = await IggyTransport.create({ ...options, connector });
  return {
    dir,
    connector,
    transport,
    async cleanup() {
      await transport.close();
      await connector.close();
      await dir.cleanup();
    },
  };
}

/** Waits until `check` returns true (polling every 20 ms) or fails after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}
