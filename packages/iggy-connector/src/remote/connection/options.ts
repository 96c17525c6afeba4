import type { Logger, Metrics } from '@rustok/core';
import { z } from 'zod';
import { SecretSchema, TlsConfigSchema } from '../../config/schema';
import { DEFAULT_MAX_FRAME_BYTES, HEADER_SIZE } from '../wire/constants';

/** How a client logs in: username and password, or a personal access token. */
export const CredentialsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('password'), username: z.string().min(1), password: SecretSchema }),
  z.object({ kind: z.literal('token'), token: SecretSchema }),
]);

/** Options of one `IggyClient` (one connection with its session). */
export const IggyClientOptionsSchema = z.object({
  /** `host:port` addresses, tried in order. */
  addresses: z.array(z.string().min(1)).min(1),
  credentials: CredentialsSchema,
  tls: TlsConfigSchema.optional(),
  /** Budget of one request, header to body, including transient resends. */
  requestTimeoutMs: z.number().int().positive().default(30_000),
  /** Budget of establishing one TCP/TLS connection. */
  connectTimeoutMs: z.number().int().positive().default(10_000),
  /** Ping when the connection was idle this long; 0 disables heartbeats. */
  heartbeatIntervalMs: z.number().int().nonnegative().default(5_000),
  reconnect: z
    .object({
      /** Reconnect automatically after a lost connection. */
      enabled: z.boolean().default(true),
      initialMs: z.number().int().positive().default(100),
      maxMs: z.number().int().positive().default(10_000),
      jitter: z.boolean().default(true),
    })
    .prefault({}),
  /** Largest frame accepted from the server. */
  maxFrameBytes: z.number().int().min(HEADER_SIZE).default(DEFAULT_MAX_FRAME_BYTES),
  /** Pause before resending after a transient (57/58) answer. */
  transientRetryDelayMs: z.number().int().nonnegative().default(50),
  /** Most resends of one request after transient answers (also bounded by the request budget). */
  maxTransientRetries: z.number().int().nonnegative().default(200),
  /** Most leader redirections after login. */
  maxRedirects: z.number().int().nonnegative().default(3),
  /**
   * After a lost connection, log the lost session out (as its client id, on a short extra
   * connection) before logging in again. A restarted Iggy 0.9 server still holds the sessions
   * it had, and a consumer-group member's old session would keep its partitions forever.
   */
  releaseLostSession: z.boolean().default(false),
  /** Follow the cluster leader after login (reads cluster metadata). */
  followLeader: z.boolean().default(true),
  /** Names this client in logs (never a secret). */
  label: z.string().default('iggy'),
});

/** Options as accepted (defaults optional, secrets as strings or `Secret`). */
export type IggyClientOptionsInput = z.input<typeof IggyClientOptionsSchema>;
/** Options after defaults. */
export type IggyClientOptions = z.output<typeof IggyClientOptionsSchema>;
/** Login credentials. */
export type Credentials = z.output<typeof CredentialsSchema>;

/** Observability and test hooks of a client (not part of the validated options). */
export interface IggyClientHooks {
  logger?: Logger;
  metrics?: Metrics;
  /** Source of randomness for backoff jitter (tests). */
  random?: () => number;
}
