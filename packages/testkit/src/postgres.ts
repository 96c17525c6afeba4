import { randomBytes } from 'node:crypto';
import { probeDocker } from './docker';

/** Environment variable holding the connection URL of a PostgreSQL server for tests. */
export const PG_URL_ENV = 'RUSTOK_TEST_PG_URL';
/** When `1`, a missing PostgreSQL server is an error instead of a skip (CI sets it). */
export const PG_REQUIRE_ENV = 'RUSTOK_REQUIRE_PG';

/** A PostgreSQL server usable by tests; `close()` stops it when the fixture started it. */
export interface PostgresServer extends AsyncDisposable {
  /** Connection URL (`postgres://user:password@127.0.0.1:port/db`); never log it, it holds a password. */
  url: string;
  /** Where the server came from: the environment or a container started here. */
  source: 'env' | 'testcontainers';
  close(): Promise<void>;
}

/** Outcome of looking for a PostgreSQL server: ready, or skipped with one printable reason. */
export type PostgresAcquisition =
  | { status: 'ready'; server: PostgresServer }
  | { status: 'skipped'; reason: string };

/** Options of `acquirePostgres`; the defaults read `process.env` and use a small official image. */
export interface AcquirePostgresOptions {
  env?: NodeJS.ProcessEnv;
  /** Image used with testcontainers when no URL is given. */
  image?: string;
  /** How long to wait for a Docker engine to answer before giving up on it. */
  dockerProbeTimeoutMs?: number;
}

/**
 * Finds a PostgreSQL server for tests: `RUSTOK_TEST_PG_URL` when set, else a testcontainers
 * PostgreSQL when a Docker engine answers, else `skipped` with a reason — or, when
 * `RUSTOK_REQUIRE_PG=1`, throws that reason instead of skipping.
 */
export async function acquirePostgres(options: AcquirePostgresOptions = {}): Promise<PostgresAcquisition> {
  const env = options.env ?? process.env;
  const url = env[PG_URL_ENV];
  if (url !== undefined && url.trim() !== '') {
    const close = async (): Promise<void> => {};
    return { status: 'ready', server: { url, source: 'env', close, [Symbol.asyncDispose]: close } };
  }
  const docker = await probeDocker(options.dockerProbeTimeoutMs ?? 10_000);
  if (docker.ok) {
    const server = await startContainer(options.image ?? 'postgres:16-alpine');
    return { status: 'ready', server };
  }
  const reason =
    `PostgreSQL suites skipped: ${PG_URL_ENV} is not set and no Docker engine is available ` +
    `(${docker.reason}). Set ${PG_URL_ENV} (e.g. eval "$(bash scripts/ci-postgres.sh)") or start ` +
    `Docker; ${PG_REQUIRE_ENV}=1 turns this skip into a failure.`;
  if (env[PG_REQUIRE_ENV] === '1') {
    throw new Error(reason.replace('suites skipped', `required (${PG_REQUIRE_ENV}=1) but unavailable`));
  }
  return { status: 'skipped', reason };
}

/** A fresh lower-case SQL identifier (`prefix_<hex>`) for a per-test schema or table. */
export function uniqueIdentifier(prefix = 't'): string {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(prefix)) {
    throw new Error(`identifier prefix must match [a-z_][a-z0-9_]{0,40}: ${prefix}`);
  }
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

async function startContainer(image: string): Promise<PostgresServer> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const password = randomBytes(12).toString('hex');
  const started = await new PostgreSqlContainer(image)
    .withDatabase('rustok_test')
    .withUsername('rustok_test')
    .withPassword(password)
    .start();
  const url = `postgres://rustok_test:${password}@127.0.0.1:${started.getPort()}/rustok_test`;
  let stopped = false;
  const close = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await started.stop();
  };
  return { url, source: 'testcontainers', close, [Symbol.asyncDispose]: close };
}
