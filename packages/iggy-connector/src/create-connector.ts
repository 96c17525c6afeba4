import type { Logger, Metrics } from '@rustok/core';
import { resolveConnectorConfig } from './config/resolve';
import type { ConnectorConfigInput } from './config/schema';
import { EmbeddedConnector } from './embedded/connector';
import { RemoteConnector } from './remote/connector';
import type { Clock } from './embedded/log/types';
import type { IggyConnector } from './types';

/** Hooks and environment for `createConnector`. */
export interface CreateConnectorOptions {
  logger?: Logger;
  metrics?: Metrics;
  /** Injectable clock for the embedded engine (tests). */
  clock?: Clock;
  /** Environment to resolve from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Builds the connector the config asks for (`resolveConnectorConfig` semantics: the mode comes
 * from the config or `RUSTOK_IGGY_MODE`, default embedded): an `EmbeddedConnector`, or a
 * `RemoteConnector` speaking Iggy's TCP protocol.
 */
export function createConnector(
  config: ConnectorConfigInput = {},
  options: CreateConnectorOptions = {},
): IggyConnector & AsyncDisposable {
  const resolved = resolveConnectorConfig(config, options.env ?? process.env);
  if (resolved.mode === 'remote') {
    return new RemoteConnector(resolved.remote, {
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
  }
  return new EmbeddedConnector({
    ...resolved.embedded,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}
