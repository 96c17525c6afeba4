import { z } from 'zod';
import { DEFAULT_INLINE_WRITE_BYTES, MAX_INLINE_WRITE_BYTES } from '../embedded/log/options';
import { isSecret, Secret } from './secret';

const MiB = 1024 * 1024;

/** Accepts a plain string or a `Secret` and always yields a `Secret`. */
export const SecretSchema = z
  .union([z.string().min(1), z.custom<Secret>(isSecret, { message: 'expected a string or Secret' })])
  .transform((value) => (typeof value === 'string' ? new Secret(value) : value));

/** `host:port`, with IPv6 hosts in brackets (`[::1]:8090`). */
const AddressSchema = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'expected host:port');

/** Durability policy of the embedded engine. */
export const FsyncConfigSchema = z.object({
  policy: z.enum(['always', 'interval', 'never']).default('interval'),
  intervalMs: z.number().int().positive().default(1000),
});

/** Embedded mode settings (DESIGN §4 defaults). */
export const EmbeddedConfigSchema = z.object({
  dataDir: z.string().min(1).default('./.rustok/iggy'),
  fsync: FsyncConfigSchema.prefault({}),
  segmentBytes: z
    .number()
    .int()
    .min(4096)
    .max(2 ** 31)
    .default(64 * MiB),
  segmentMaxAgeMs: z.number().int().positive().default(3_600_000),
  maxPayloadBytes: z.number().int().positive().default(64_000_000),
  maxHeadersBytes: z.number().int().positive().default(100_000),
  /**
   * Log writes of at most this many bytes are done synchronously on the event loop (they land in
   * the OS page cache in microseconds, well under a thread-pool round trip); larger ones, or all
   * with 0, go through libuv's thread pool. fsyncs always run in the thread pool.
   */
  inlineWriteMaxBytes: z.number().int().min(0).max(MAX_INLINE_WRITE_BYTES).default(DEFAULT_INLINE_WRITE_BYTES),
  /** How often retention and age-based segment rolling run. */
  retentionCheckIntervalMs: z.number().int().positive().default(60_000),
});

/** Remote mode settings (DESIGN §4 defaults). Secrets are held as `Secret`. */
/** TLS settings: a CA file to trust and the server name to verify (SNI). */
export const TlsConfigSchema = z.object({
  enabled: z.boolean().default(false),
  caFile: z.string().min(1).optional(),
  serverName: z.string().min(1).optional(),
});

export const RemoteConfigSchema = z.object({
  addresses: z.array(AddressSchema).min(1).default(['127.0.0.1:8090']),
  username: z.string().min(1).default('iggy'),
  password: SecretSchema.optional(),
  token: SecretSchema.optional(),
  tls: TlsConfigSchema.optional(),
  requestTimeoutMs: z.number().int().positive().default(30_000),
  heartbeatIntervalMs: z.number().int().positive().default(5_000),
  reconnect: z
    .object({
      initialMs: z.number().int().positive().default(100),
      maxMs: z.number().int().positive().default(10_000),
      jitter: z.boolean().default(true),
    })
    .prefault({}),
  maxFrameBytes: z
    .number()
    .int()
    .positive()
    .default(64 * MiB),
});

/** The connector configuration: `mode` picks the implementation; each mode has its section. */
export const ConnectorConfigSchema = z
  .object({
    mode: z.enum(['embedded', 'remote']).default('embedded'),
    embedded: EmbeddedConfigSchema.prefault({}),
    remote: RemoteConfigSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    if (config.mode === 'remote' && !config.remote.password && !config.remote.token) {
      ctx.addIssue({
        code: 'custom',
        path: ['remote', 'password'],
        message: 'remote mode needs a password (IGGY_PASSWORD) or a token (IGGY_TOKEN)',
      });
    }
  });

/** A fully resolved connector configuration (every default applied). */
export type ConnectorConfig = z.output<typeof ConnectorConfigSchema>;
/** What callers may pass: every field optional, secrets as strings or `Secret`. */
export type ConnectorConfigInput = z.input<typeof ConnectorConfigSchema>;
/** The resolved embedded section. */
export type EmbeddedConfig = z.output<typeof EmbeddedConfigSchema>;
/** The resolved remote section. */
export type RemoteConfig = z.output<typeof RemoteConfigSchema>;
