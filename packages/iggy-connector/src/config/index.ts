export { type ConnectorEnv, resolveConnectorConfig } from './resolve';
export {
  type ConnectorConfig,
  type ConnectorConfigInput,
  ConnectorConfigSchema,
  type EmbeddedConfig,
  EmbeddedConfigSchema,
  FsyncConfigSchema,
  type RemoteConfig,
  RemoteConfigSchema,
} from './schema';
export { isSecret, Secret } from './secret';
