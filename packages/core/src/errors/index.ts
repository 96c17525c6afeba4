export { ErrorCodes, type ErrorCode, type KnownErrorCode } from './codes';
export {
  BackpressureError,
  ClosedError,
  ConnectionError,
  hasErrorCode,
  isRustokError,
  NoSubscribersError,
  NotFoundError,
  PartialPublishError,
  RustokError,
  type RustokErrorOptions,
  SerializationError,
  StorageError,
  TimeoutError,
  UpcastError,
  ValidationError,
} from './rustok-error';
