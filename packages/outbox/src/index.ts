export type { InboxResult } from './inbox/types';
export { WorkerIdInUseError } from './errors';
export { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from './relay/backoff';
export {
  type RelayOptions,
  RelayOptionsSchema,
  type ResolvedRelayOptions,
} from './relay/options';
export { createRelay, OutboxRelay, RelayMetrics, type RelayState } from './relay/relay';
export { LAST_ERROR_MAX_BYTES } from './sql/truncate';
export type {
  ClaimedEvent,
  ClaimRequest,
  DispatchedRow,
  FailedEvent,
  FailureUpdate,
  ListFailedOptions,
  MigrationResult,
  OutboxAppender,
  OutboxDriver,
  OutboxStats,
  OutboxStatus,
  RelayStore,
  Settlement,
  SettleResult,
  WakeSource,
  WorkerLease,
  WorkerRecord,
  WorkerTakeover,
  WriteOnceResult,
} from './stores/types';
export {
  OutboxTransport,
  type OutboxTransportOptions,
  OutboxTransportOptionsSchema,
  type TransactionalPublishOptions,
} from './transport/outbox-transport';
export {
  type Route,
  RoutingTransport,
  type RoutingTransportOptions,
  RoutingTransportOptionsSchema,
} from './transport/routing-transport';
