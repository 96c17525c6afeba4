import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Repository root: children run there so `--import tsx` resolves. */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** A spawned TypeScript child with line-oriented stdout. */
export interface Child {
  proc: ChildProcess;
  lines: string[];
  /** Resolves with the first stdout line matching `predicate` (rejects if the child exits first). */
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves once the process has exited. */
  exited: Promise<number | null>;
  /** Sends SIGKILL and waits for the exit. */
  kill(): Promise<void>;
  /** Writes one line to the child's stdin. */
  send(line: string): void;
}

/** Spawns `node --import tsx <file> ...args` with cwd at the repo root. */
export function spawnTs(file: string, args: readonly string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  let partial = '';
  let stderr = '';
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (chunk: string) => {
    partial += chunk;
    let nl = partial.indexOf('\n');
    while (nl >= 0) {
      lines.push(partial.slice(0, nl));
      partial = partial.slice(nl + 1);
      nl = partial.indexOf('\n');
    }
    for (const listener of listeners) listener();
  });
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  let hasExited = false;
  const exited = new Promise<number | null>((resolve) => {
    proc.on('exit', (code) => {
      hasExited = true;
      for (const listener of listeners) listener();
      resolve(code);
    });
  });
  const waitForLine = (predicate: (line: string) => boolean, timeoutMs = 15_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = lines.find(predicate);
        if (found !== undefined) {
          cleanup();
          resolve(found);
        } else if (hasExited) {
          cleanup();
          reject(new Error(`child exited before the expected line; stderr: ${stderr.slice(-2000)}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for a line; got ${JSON.stringify(lines.slice(-5))}; stderr: ${stderr.slice(-2000)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  const kill = async () => {
    if (!hasExited) proc.kill('SIGKILL');
    await exited;
  };
  const send = (line: string) => {
    proc.stdin?.write(`${line}\n`);
  };
  return { proc, lines, waitForLine, exited, kill, send };
}
