export { ErrorCodes, type ErrorCode, type KnownErrorCode } from './codes';
export {
  BackpressureError,
  ClosedError,
  ConnectionError,
  hasErrorCode,
  isRustokError,
  NotFoundError,
  PartialPublishError,
  RustokError,
  type RustokErrorOptions,
  SerializationError,
  StorageError,
  TimeoutError,
  ValidationError,
} from './rustok-error';
