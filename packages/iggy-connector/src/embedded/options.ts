import type { Logger, Metrics } from '@rustok/core';
import { z } from 'zod';
import { EmbeddedConfigSchema } from '../config/schema';
import type { Clock } from './log/types';

const isObjectWith =
  (...methods: string[]) =>
  (value: unknown): boolean =>
    typeof value === 'object' &&
    value !== null &&
    methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');

/**
 * Options of `EmbeddedConnector`: the embedded config section plus hooks (`logger`, `metrics`),
 * an injectable `clock` (tests drive retention and segment age with it) and the time after which
 * a consumer-group revoke that has not resolved is forced.
 */
export const EmbeddedConnectorOptionsSchema = EmbeddedConfigSchema.extend({
  logger: z.custom<Logger>(isObjectWith('debug', 'info', 'warn', 'error'), 'expected a Logger').optional(),
  metrics: z.custom<Metrics>(isObjectWith('increment', 'observe', 'gauge'), 'expected Metrics').optional(),
  clock: z.custom<Clock>(isObjectWith('nowMs', 'nowMicros'), 'expected a Clock').optional(),
  rebalanceTimeoutMs: z.number().int().positive().default(30_000),
});

/** Resolved options of `EmbeddedConnector`. */
export type EmbeddedConnectorOptions = z.output<typeof EmbeddedConnectorOptionsSchema>;
/** What `new EmbeddedConnector(options)` accepts (every field optional). */
export type EmbeddedConnectorOptionsInput = z.input<typeof EmbeddedConnectorOptionsSchema>;
