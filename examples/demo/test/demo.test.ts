import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const demoRoot = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the demo as a child process, the way `pnpm run demo` does, with its data under `dataDir`. */
function runDemo(dataDir: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts'],
      { cwd: demoRoot, env: { ...process.env, RUSTOK_DEMO_DIR: dataDir }, maxBuffer: 16 * 1024 * 1024, timeout: 170_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('the main demo (outbox → relay → embedded IggyTransport → workers, DLQ, redrive, replay)', () => {
  let dataDir: string;
  let run: Run;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rustok-demo-'));
    run = await runDemo(dataDir);
  }, 180_000);

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('exits 0 with every check passed', () => {
    expect(run.code, `stderr:\n${run.stderr}\nstdout:\n${run.stdout}`).toBe(0);
    expect(run.stdout).toMatch(/^All \d+ checks passed\.$/m);
    expect(run.stdout).not.toMatch(/^\s+FAIL\s/m);
  });

  it('reports the outbox: committed rows dispatched, rolled-back events never published', () => {
    expect(run.stdout).toMatch(/^outbox rows {2}written 2,075 \/ dispatched 2,075 \/ rolled back 3 \(never published\)$/m);
    expect(run.stdout).toMatch(/ok {4}outbox drained: 2,075 of 2,075 rows dispatched, 0 pending, 0 failed; 750 orders stored/);
    expect(run.stdout).toMatch(/ok {4}rolled-back events never published: 3 rolled back; 0 rows left behind, 0 seen/);
    expect(run.stdout).toMatch(/^throughput {3}app commits [\d,]+ events\/s; relay [\d,]+ events\/s \(first commit to last acknowledged/m);
  });

  it('reports order, DLQ, redrive, replay and final lag', () => {
    expect(run.stdout).toMatch(/ok {4}per-tenant order: /);
    expect(run.stdout).toMatch(/ok {4}only the broken tenant dead-lettered: \d+ dead letters, tenants: umbrella/);
    expect(run.stdout).toMatch(/ok {4}DLQ drained by the redrive: \d+ redriven, 0 still pending/);
    expect(run.stdout).toMatch(/ok {4}replayed revenue matches: /);
    expect(run.stdout).toMatch(/^final lag {4}0 /m);
  });

  it('keeps all its data under RUSTOK_DEMO_DIR', () => {
    expect(run.stdout).toContain(`data dir: ${dataDir}`);
    expect(existsSync(join(dataDir, 'app.db'))).toBe(true);
    expect(existsSync(join(dataDir, 'iggy'))).toBe(true);
  });
});
