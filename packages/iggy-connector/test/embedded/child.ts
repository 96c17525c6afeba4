import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: children run there so `--import tsx` resolves. */
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
/** The connector child fixture. */
const fixture = fileURLToPath(new URL('./fixtures/connector-child.ts', import.meta.url));

/** A running connector child with its stdout split into lines. */
export interface ConnectorChild {
  readonly lines: readonly string[];
  /** Resolves with the first line matching `predicate`; rejects when the child exits first. */
  line(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code once the child has exited. */
  readonly exited: Promise<number | null>;
  /** SIGKILLs the child and waits for it to be gone. */
  kill(): Promise<void>;
}

/** Starts `node --import tsx fixtures/connector-child.ts <args>` from the repository root. */
export function startChild(args: readonly string[]): ConnectorChild {
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  let stderr = '';
  let done = false;
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of waiters) w();
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => {
    proc.on('exit', (code) => {
      done = true;
      for (const w of waiters) w();
      resolve(code);
    });
  });
  return {
    lines,
    exited,
    line(predicate, timeoutMs = 20_000) {
      return new Promise<string>((resolve, reject) => {
        const check = (): void => {
          const found = lines.find(predicate);
          if (found !== undefined) finish(() => resolve(found));
          else if (done) finish(() => reject(new Error(`child exited early; stderr: ${stderr}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`no matching line in time; stderr: ${stderr}`))),
          timeoutMs,
        );
        const finish = (settle: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    async kill() {
      if (!done) proc.kill('SIGKILL');
      await exited;
    },
  };
}
