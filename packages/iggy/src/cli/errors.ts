import { isRustokError, RustokError } from '@rustok/core';

/** Error code of a command line the CLI cannot understand (exit code 2). */
export const USAGE = 'USAGE';

/** A bad command line: unknown command or flag, missing or malformed value. Exit code 2. */
export class UsageError extends RustokError {
  /** The command whose help applies, when known. */
  readonly command: string | undefined;

  /** Creates a usage error; `command` names the command whose `--help` to suggest. */
  constructor(message: string, command?: string) {
    super(USAGE, message, { details: command === undefined ? {} : { command } });
    this.command = command;
  }
}

/** True for a `UsageError` (also from another copy of this module). */
export function isUsageError(error: unknown): error is UsageError {
  return isRustokError(error) && error.code === USAGE;
}

/** The stable code of any thrown value: a `RustokError`'s code, a Node system code, or `INTERNAL`. */
export function errorCode(error: unknown): string {
  if (isRustokError(error)) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length > 0 ? code : 'INTERNAL';
}

/** The one-line message of any thrown value. */
export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0] ?? '';
}

/** Stack and cause chain of an error, for `--verbose`. */
export function errorDetail(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    if (depth > 0) lines.push(`caused by [${errorCode(current)}]: ${errorMessage(current)}`);
    if (current instanceof Error && current.stack) lines.push(current.stack);
    if (isRustokError(current) && Object.keys(current.details).length > 0) {
      lines.push(`details: ${JSON.stringify(current.details, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.join('\n');
}
