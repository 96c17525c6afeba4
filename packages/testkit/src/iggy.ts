import { probeDocker } from './docker';
import { type IggyProcess, startIggyProcess } from './iggy-process';

/** Address (`host:port`, comma-separated for several) of a running Iggy 0.9.x server. */
export const IGGY_ADDRESS_ENV = 'IGGY_ADDRESS';
/** Shell command that starts `iggy-server`; suites that restart a server need it. */
export const IGGY_SERVER_CMD_ENV = 'IGGY_SERVER_CMD';
/** When `1`, a missing Iggy server is an error instead of a skip. */
export const IGGY_REQUIRE_ENV = 'RUSTOK_REQUIRE_IGGY';

/** An Iggy server usable by tests; `close()` stops it when the fixture started it. */
export interface IggyServer extends AsyncDisposable {
  /** `host:port` (the first address when several were given). */
  address: string;
  username: string;
  /** Root password, or undefined when a token is used (never log it). */
  password: string | undefined;
  /** Personal access token (`IGGY_TOKEN`), when given instead of a password. */
  token: string | undefined;
  /** Where the server came from. */
  source: 'env' | 'process' | 'testcontainers';
  /** `IGGY_*` variables naming this server, for `resolveConnectorConfig({ mode: 'remote' }, env)`. */
  env: Record<string, string | undefined>;
  close(): Promise<void>;
}

/** Outcome of looking for an Iggy server: ready, or skipped with one printable reason. */
export type IggyAcquisition = { status: 'ready'; server: IggyServer } | { status: 'skipped'; reason: string };

/** Options of `acquireIggy`; the defaults read `process.env`. */
export interface AcquireIggyOptions {
  env?: NodeJS.ProcessEnv;
  /** Image used with testcontainers (default `IGGY_IMAGE` or `apache/iggy:0.9.0`). */
  image?: string;
  /** How long to wait for a Docker engine to answer before giving up on it. */
  dockerProbeTimeoutMs?: number;
}

function serverFrom(
  addresses: string,
  username: string,
  password: string | undefined,
  token: string | undefined,
  source: IggyServer['source'],
  close: () => Promise<void>,
): IggyServer {
  const address = addresses.split(',')[0]!.trim();
  const env = {
    IGGY_ADDRESS: addresses,
    IGGY_USERNAME: username,
    IGGY_PASSWORD: token ? undefined : password,
    IGGY_TOKEN: token,
  };
  return { address, username, password, token, source, env, close, [Symbol.asyncDispose]: close };
}

/** An `IggyServer` view of a process started by `startIggyProcess`. */
export function iggyServerOf(process: IggyProcess): IggyServer {
  return serverFrom(process.address, process.username, process.password, undefined, 'process', () => process.close());
}

/**
 * Finds an Iggy server for tests, in this order: `IGGY_ADDRESS` (with `IGGY_USERNAME` /
 * `IGGY_PASSWORD`, default `iggy`/`iggy`, or `IGGY_TOKEN`); a server started with
 * `IGGY_SERVER_CMD`; a testcontainers `apache/iggy` when a Docker engine answers; else `skipped`
 * with a reason — or, when `RUSTOK_REQUIRE_IGGY=1`, that reason is thrown instead.
 */
export async function acquireIggy(options: AcquireIggyOptions = {}): Promise<IggyAcquisition> {
  const env = options.env ?? process.env;
  const addresses = env[IGGY_ADDRESS_ENV]?.trim();
  const username = env.IGGY_USERNAME?.trim() || 'iggy';
  const token = env.IGGY_TOKEN?.trim() || undefined;
  if (addresses) {
    const password = token ? undefined : (env.IGGY_PASSWORD ?? 'iggy');
    return { status: 'ready', server: serverFrom(addresses, username, password, token, 'env', async () => {}) };
  }
  const command = env[IGGY_SERVER_CMD_ENV]?.trim();
  if (command) {
    return { status: 'ready', server: iggyServerOf(await startIggyProcess({ command })) };
  }
  const docker = await probeDocker(options.dockerProbeTimeoutMs ?? 10_000);
  if (docker.ok) {
    return { status: 'ready', server: await startContainer(options.image ?? env.IGGY_IMAGE ?? 'apache/iggy:0.9.0') };
  }
  const reason =
    `Iggy suites skipped: ${IGGY_ADDRESS_ENV} and ${IGGY_SERVER_CMD_ENV} are not set and no Docker ` +
    `engine is available (${docker.reason}). See docs/remote.md; ${IGGY_REQUIRE_ENV}=1 turns ` +
    `this skip into a failure.`;
  if (env[IGGY_REQUIRE_ENV] === '1') {
    throw new Error(reason.replace('suites skipped', `required (${IGGY_REQUIRE_ENV}=1) but unavailable`));
  }
  return { status: 'skipped', reason };
}

async function startContainer(image: string): Promise<IggyServer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(image)
    .withEnvironment({
      IGGY_ROOT_USERNAME: 'iggy',
      IGGY_ROOT_PASSWORD: 'iggy',
      IGGY_TCP_ADDRESS: '0.0.0.0:8090',
      IGGY_HTTP_ENABLED: 'false',
      IGGY_QUIC_ENABLED: 'false',
      IGGY_WEBSOCKET_ENABLED: 'false',
    })
    .withExposedPorts(8090)
    // io_uring needs an unconfined seccomp profile and unlimited locked memory.
    .withPrivilegedMode()
    .withWaitStrategy(Wait.forListeningPorts())
    .withStartupTimeout(90_000)
    .start();
  let stopped = false;
  const close = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await container.stop();
  };
  const address = `${container.getHost()}:${container.getMappedPort(8090)}`;
  return serverFrom(address, 'iggy', 'iggy', undefined, 'testcontainers', close);
}
