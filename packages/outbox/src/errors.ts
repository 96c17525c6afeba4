import { ErrorCodes, RustokError } from '@rustok/core';

/**
 * A relay was started with a worker id that a live relay already holds (in this process, or on
 * the database through a fresh heartbeat row). Code `ALREADY_EXISTS`.
 */
export class WorkerIdInUseError extends RustokError {
  /** Creates the error for `workerId`; `holder` describes the live owner (host, pid) when known. */
  constructor(workerId: string, holder: string) {
    super(
      ErrorCodes.ALREADY_EXISTS,
      `relay worker id "${workerId}" is already in use by a live relay (${holder})`,
      { details: { workerId, holder } },
    );
  }
}
