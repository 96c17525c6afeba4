import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory removed by `cleanup()` (or `await using`). */
export interface TempDir extends AsyncDisposable {
  path: string;
  cleanup(): Promise<void>;
}

/** Creates a fresh temporary directory under the OS temp dir. */
export async function makeTempDir(prefix = 'rustok-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  const cleanup = () => rm(path, { recursive: true, force: true });
  return { path, cleanup, [Symbol.asyncDispose]: cleanup };
}

export {
  type AcquirePostgresOptions,
  acquirePostgres,
  PG_REQUIRE_ENV,
  PG_URL_ENV,
  type PostgresAcquisition,
  type PostgresServer,
  uniqueIdentifier,
} from './postgres';
export {
  type AcquireIggyOptions,
  acquireIggy,
  IGGY_ADDRESS_ENV,
  IGGY_REQUIRE_ENV,
  IGGY_SERVER_CMD_ENV,
  type IggyAcquisition,
  type IggyServer,
  iggyServerOf,
} from './iggy';
export {
  freePort,
  type IggyProcess,
  type IggyProcessOptions,
  type IggyProcessTls,
  startIggyProcess,
} from './iggy-process';
export { generateTestCertificates, hasOpenssl, type TestCertificates } from './tls';
