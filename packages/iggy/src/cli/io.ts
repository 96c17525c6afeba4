/** Where the CLI writes; a TTY stream gets progress bars. */
export interface CliStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Everything the CLI touches outside itself, injectable so tests run it in-process. */
export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  /** Environment (credentials are read from here, never from flags). */
  env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against. */
  cwd: string;
  /** Aborted when the user interrupts (Ctrl-C); long-running commands stop cleanly. */
  signal?: AbortSignal;
}

/**
 * The real process streams, environment and working directory. When stdout's reader goes away
 * (`rustok-iggy replay | head`), later output is dropped and `onClosed` is called, so the
 * command can stop and release its data dir instead of crashing with `EPIPE`.
 */
export function processIo(signal?: AbortSignal, onClosed?: () => void): CliIo {
  let closed = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
    onClosed?.();
  });
  return {
    stdout: {
      isTTY: process.stdout.isTTY,
      write: (text: string) => (closed ? false : process.stdout.write(text)),
    },
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    ...(signal ? { signal } : {}),
  };
}
