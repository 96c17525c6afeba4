import type { Logger, Metrics } from '@rustok/core';
import { z } from 'zod';
import { RemoteConfigSchema } from '../config/schema';

/**
 * Options of a `RemoteConnector`: the remote config section (addresses, credentials, TLS,
 * timeouts, heartbeat, reconnect, frame limit) plus client-side polling and limits.
 */
export const RemoteConnectorOptionsSchema = RemoteConfigSchema.extend({
  /** How often each group member re-reads its assignment (SyncConsumerGroup). */
  groupSyncIntervalMs: z.number().int().positive().default(1_000),
  /** Pause between polls while a long-poll (`waitMs`) waits for data. */
  longPollIntervalMs: z.number().int().positive().default(100),
  /** Largest payload of one message (Iggy's limit). */
  maxPayloadBytes: z.number().int().positive().default(64_000_000),
});

/** Remote connector options as accepted (defaults optional, secrets as strings or `Secret`). */
export type RemoteConnectorOptionsInput = z.input<typeof RemoteConnectorOptionsSchema>;
/** Remote connector options after defaults. */
export type RemoteConnectorOptions = z.output<typeof RemoteConnectorOptionsSchema>;

/** Hooks of a remote connector (not validated by the schema). */
export interface RemoteConnectorHooks {
  logger?: Logger;
  metrics?: Metrics;
}
