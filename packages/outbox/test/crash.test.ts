import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir, type TempDir } from '@rustok/testkit';
import type { EventEnvelope } from '@rustok/core';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresOutbox } from '../src/postgres/index';
import { createSqliteOutbox } from '../src/sqlite/index';
import { atLeastOnceViolations, distinctPerTenant, type Seen, tenantEvents } from './helpers/events';
import { dropSchema, freshSchema, inTx, pgPool, pgUrl } from './helpers/pg';
import { sqliteFixture } from './helpers/sqlite';
import { waitFor } from './helpers/wait';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const child = join(here, 'fixtures/crash-relay.ts');

const TENANTS = 6;
const PER_ROUND = 150;
const KILLS = 2;

interface Harness {
  /** Writes events in committed transactions of the parent process. */
  write(events: EventEnvelope[]): Promise<void>;
  pending(): Promise<number>;
  env: Record<string, string>;
}

function readSeen(file: string): Array<Seen & { id: string }> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [tenantId, n, id] = line.split(' ');
      return { tenantId: tenantId!, n: Number(n), id: id! };
    });
}

function startChild(env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolveChild, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    proc.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolveChild(proc);
    });
    proc.on('exit', (code, signal) => reject(new Error(`relay child exited early (${code ?? signal}): ${stderr}`)));
  });
}

function exited(proc: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (proc.exitCode !== null || proc.signalCode !== null) r();
    else proc.once('exit', () => r());
  });
}

/**
 * Kills the relay child with SIGKILL mid-batch `KILLS` times while the parent keeps writing, then
 * lets a last child finish; checks every event arrived at least once in per-tenant order.
 */
async function crashScenario(h: Harness, out: string): Promise<void> {
  writeFileSync(out, '');
  const all = tenantEvents(PER_ROUND * (KILLS + 1), TENANTS);
  let written = 0;
  const writeRound = async () => {
    const round = all.slice(written, written + PER_ROUND);
    for (let i = 0; i < round.length; i += 30) await h.write(round.slice(i, i + 30));
    written += round.length;
  };
  await writeRound();
  for (let kill = 0; kill < KILLS; kill++) {
    const proc = await startChild(h.env);
    const before = readSeen(out).length;
    // Kill once the relay is well into its work (the slow target writes one event at a time).
    await waitFor(() => readSeen(out).length >= before + 50 + kill * 17, 'progress before the kill', 30_000, 5);
    proc.kill('SIGKILL');
    await exited(proc);
    await writeRound();
  }
  const last = await startChild(h.env);
  await waitFor(async () => (await h.pending()) === 0, 'the outbox to drain', 60_000, 50);
  last.kill('SIGTERM');
  await exited(last);

  const seen = readSeen(out);
  const ids = new Set(seen.map((s) => s.id));
  expect(all.every((e) => ids.has(e.id))).toBe(true);
  expect(atLeastOnceViolations(seen)).toEqual([]);
  const perTenant = distinctPerTenant(seen);
  for (let t = 0; t < TENANTS; t++) expect(perTenant.get(`t${t}`)).toBe(all.length / TENANTS);
  // The kills landed mid-batch: part of a batch was published and then published again.
  expect(seen.length).toBeGreaterThan(ids.size);
}

describe('crash: a relay killed with SIGKILL mid-batch and restarted', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await makeTempDir('rustok-outbox-crash-');
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('SQLite: delivers every event at least once, per-tenant order intact', async () => {
    await using fx = await sqliteFixture();
    const outbox = createSqliteOutbox({ database: fx.db });
    await outbox.migrate();
    await crashScenario(
      {
        write: async (events) => fx.db.transaction(() => outbox.write(fx.db, events))(),
        pending: async () => (await outbox.stats()).pending,
        env: {
          CRASH_DRIVER: 'sqlite',
          CRASH_DB: fx.path,
          CRASH_OUT: join(dir.path, 'published.log'),
          CRASH_WORKER: 'crash-relay',
          CRASH_DELAY_MS: '2',
        },
      },
      join(dir.path, 'published.log'),
    );
  }, 120_000);

  describe.skipIf(pgUrl === null)('PostgreSQL', () => {
    let pool: pg.Pool;
    const schema = freshSchema();
    beforeAll(() => {
      pool = pgPool(4);
    });
    afterAll(async () => {
      await dropSchema(pool, schema);
      await pool.end();
    });

    it('delivers every event at least once, per-tenant order intact', async () => {
      const outbox = createPostgresOutbox({ pool, schema });
      await outbox.migrate();
      await crashScenario(
        {
          write: (events) => inTx(pool, (c) => outbox.write(c, events)),
          pending: async () => (await outbox.stats()).pending,
          env: {
            CRASH_DRIVER: 'postgres',
            CRASH_DB: pgUrl!,
            CRASH_SCHEMA: schema,
            CRASH_OUT: join(dir.path, 'published.log'),
            CRASH_WORKER: 'crash-relay',
            CRASH_DELAY_MS: '2',
          },
        },
        join(dir.path, 'published.log'),
      );
    }, 120_000);
  });
});
