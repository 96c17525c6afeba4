import type { IggyConnector } from '@rustok/iggy-connector';
import type { CliIo } from '../../src/cli/io';
import { run } from '../../src/cli/run';

/** What one in-process CLI run printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of `runCli`. */
export interface RunCliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  connector?: IggyConnector;
  signal?: AbortSignal;
  /** Called with everything written to stderr so far, after each write. */
  onStderr?: (text: string) => void;
}

/** Runs `rustok-iggy argv` in this process with captured output and an empty environment. */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: {
      write: (text: string) => {
        stderr += text;
        options.onStderr?.(stderr);
      },
    },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const code = await run(argv, io, options.connector ? { connector: options.connector } : {});
  return { code, stdout, stderr };
}

/** Parses one JSON document per non-empty line. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
