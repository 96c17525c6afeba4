import { type EventRegistry, type Logger, type Metrics, ValidationError } from '@rustok/core';
import type { ConnectorConfigInput, IggyConnector } from '@rustok/iggy-connector';
import { z } from 'zod';
import type { RouteRule } from '../routing/router';

const hasMethods =
  (...methods: string[]) =>
  (value: unknown): boolean =>
    typeof value === 'object' &&
    value !== null &&
    methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');

const looksLikeConnector = hasMethods('connect', 'close', 'send', 'poll', 'ensureTopic');

/** True when `value` looks like an `IggyConnector` instance (rather than a config object). */
export function isConnector(value: unknown): value is IggyConnector {
  return looksLikeConnector(value);
}

/** Overrides of one topic's settings (unset fields keep the defaults). */
export const TopicOverrideSchema = z.object({
  partitions: z.number().int().min(1).max(100_000).optional(),
  /** Retention by age; 0 means never expire. */
  messageExpiryMs: z.number().int().min(0).optional(),
  /** Retention by size; 0n means unlimited. */
  maxTopicBytes: z.bigint().min(0n).optional(),
});

const TopicName = z.string().min(1).max(255);

/** A routing rule: exact type, type prefix, or a function of the type. */
export const RouteRuleSchema = z.union([
  z.object({ exact: z.string().min(1), topic: TopicName }),
  z.object({ prefix: z.string().min(1), topic: TopicName }),
  z.object({
    match: z.custom<(eventType: string) => string | undefined | null>((v) => typeof v === 'function', {
      message: 'match must be a function',
    }),
  }),
]);

/** Options of `IggyTransport.create()`; every field is optional. */
export const IggyTransportOptionsSchema = z.object({
  /** A connector instance (not closed by the transport), or a connector config (default: embedded). */
  connector: z
    .union([
      z.custom<IggyConnector>(isConnector, { message: 'expected an IggyConnector' }),
      z.custom<ConnectorConfigInput>(
        (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
        { message: 'expected a connector config object' },
      ),
    ])
    .optional(),
  stream: z.string().min(1).max(255).default('rustok'),
  /** Per-topic partitions and retention, merged over the defaults (`domain`, `system`, `dlq`). */
  topics: z.record(TopicName, TopicOverrideSchema).default({}),
  /** Use existing topics' partition counts instead of failing with `TOPOLOGY_MISMATCH`. */
  useExistingPartitionCount: z.boolean().default(false),
  /** Rules tried in order before the defaults (`index.*`/`build.*` → `system`, else `domain`). */
  routes: z.array(RouteRuleSchema).readonly().default([]),
  /** Topic that gets events no rule matches. */
  defaultTopic: TopicName.default('domain'),
  /** Topic of dead letters. */
  dlqTopic: TopicName.default('dlq'),
  /** Format written: JSON (default) or Avro (needs the optional peer dependency `avsc`). */
  codec: z.enum(['json', 'avro']).default('json'),
  /** Validate against (and upcast with) this registry; its Avro schemas are used by the Avro codec. */
  registry: z
    .custom<EventRegistry>(hasMethods('get', 'validate', 'upcast', 'has'), {
      message: 'expected an EventRegistry',
    })
    .optional(),
  /**
   * Limits of one send (a batch closes at `maxMessages` or `maxBytes`) and of what one partition
   * may hold, queued plus in flight (`maxQueuedMessages`, `maxQueuedBytes`). A publish finding
   * its partition full waits for room, in order (`onQueueFull: 'wait'`), or throws
   * `BACKPRESSURE` (`'reject'`). A partition holding nothing accepts any one call.
   */
  batching: z
    .object({
      maxMessages: z.number().int().min(1).max(100_000).default(1000),
      maxBytes: z
        .number()
        .int()
        .min(1024)
        .default(1024 * 1024),
      maxQueuedMessages: z.number().int().min(1).default(10_000),
      maxQueuedBytes: z
        .number()
        .int()
        .min(1024)
        .default(16 * 1024 * 1024),
      onQueueFull: z.enum(['wait', 'reject']).default('wait'),
    })
    .prefault({}),
  /** Bound of the error message stored with a dead letter, in UTF-8 bytes (a header value holds 255). */
  dlqMaxErrorMessageBytes: z.number().int().min(16).max(255).default(255),
  logger: z.custom<Logger>(hasMethods('debug', 'info', 'warn', 'error'), { message: 'expected a Logger' }).optional(),
  metrics: z.custom<Metrics>(hasMethods('increment', 'observe', 'gauge'), { message: 'expected Metrics' }).optional(),
});

/** What `IggyTransport.create()` accepts. */
export type IggyTransportOptions = z.input<typeof IggyTransportOptionsSchema>;
/** Transport options with defaults applied. */
export type ResolvedIggyTransportOptions = z.output<typeof IggyTransportOptionsSchema>;

/** Parses transport options, turning zod issues into a `VALIDATION` error (never echoing values). */
export function parseTransportOptions(input: unknown): ResolvedIggyTransportOptions {
  const result = IggyTransportOptionsSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  throw new ValidationError(`invalid transport options: ${field ? `${field}: ` : ''}${issue?.message}`, {
    details: { field },
    cause: result.error,
  });
}

/** Narrows parsed route rules to the router's type. */
export function routeRules(options: ResolvedIggyTransportOptions): RouteRule[] {
  return options.routes.map((rule) => ({ ...rule }) as RouteRule);
}
