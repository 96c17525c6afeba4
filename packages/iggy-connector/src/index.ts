export {
  type ConnectorConfig,
  type ConnectorConfigInput,
  ConnectorConfigSchema,
  type ConnectorEnv,
  type EmbeddedConfig,
  type RemoteConfig,
  resolveConnectorConfig,
  Secret,
} from './config/index';
export { type CreateConnectorOptions, createConnector } from './create-connector';
export { EmbeddedConnector } from './embedded/connector';
export type { MaintenanceResult } from './embedded/maintenance';
export type { Clock, FsyncPolicy } from './embedded/log/types';
export {
  type EmbeddedConnectorOptions,
  type EmbeddedConnectorOptionsInput,
  EmbeddedConnectorOptionsSchema,
} from './embedded/options';
export { decodeHeaders, encodeHeaders, headersByteLength, MAX_HEADERS_BYTES, sealHeaders } from './headers/codec';
export { payloadByteLength } from './payload';
export { RemoteConnector } from './remote/connector';
export {
  type RemoteConnectorOptions,
  type RemoteConnectorOptionsInput,
  RemoteConnectorOptionsSchema,
} from './remote/options';
export type * from './types';
