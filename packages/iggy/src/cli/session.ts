import { readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Logger, NotFoundError, ValidationError } from '@rustok/core';
import { createConnector, type IggyConnector } from '@rustok/iggy-connector';
import { IggyTransport } from '../transport/transport';
import { DEFAULT_DATA_DIR, type GlobalOptions } from './args';
import type { CliIo } from './io';

/** The file every embedded data dir holds (see docs/embedded-connector.md). */
const METADATA_FILE = 'metadata.json';

/** An open transport on the target the command line names; `close()` releases everything. */
export interface Session extends AsyncDisposable {
  transport: IggyTransport;
  connector: IggyConnector;
  /** Where the session points: the embedded data dir (absolute) or the remote address. */
  location: string;
  close(): Promise<void>;
}

/** How a command wants its target opened. */
export interface OpenOptions {
  /** Create the data dir and stream when missing (`demo`); otherwise they must exist. */
  create: boolean;
  logger: Logger;
  /** Use this connector instead of building one (tests; it is not closed by the session). */
  connector?: IggyConnector;
}

/** The absolute embedded data dir the options name (default `./.rustok/iggy`). */
export function dataDirOf(globals: GlobalOptions, io: CliIo): string {
  return resolve(io.cwd, globals.dataDir ?? DEFAULT_DATA_DIR);
}

async function isDirectory(path: string): Promise<boolean | undefined> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Checks that `dir` is an embedded data dir before opening it, so a typo never creates (or
 * writes a lock into) an unrelated directory. With `create`, a missing or empty dir is fine.
 */
export async function checkDataDir(dir: string, create: boolean): Promise<void> {
  const kind = await isDirectory(dir);
  if (kind === undefined) {
    if (create) return;
    throw new NotFoundError(
      `no embedded data dir at ${dir} (create one with \`rustok-iggy demo --data-dir ${dir}\`, or pass --data-dir or --address)`,
      { details: { dataDir: dir } },
    );
  }
  if (!kind) throw new ValidationError(`${dir} is not a directory`, { details: { dataDir: dir } });
  const entries = await readdir(dir);
  if (entries.includes(METADATA_FILE) || (create && entries.length === 0)) return;
  throw new ValidationError(`${dir} is not an embedded rustok-iggy data dir (it has no ${METADATA_FILE})`, {
    details: { dataDir: dir },
  });
}

/**
 * Opens the target: a remote server (`--address`, credentials from `IGGY_USERNAME`,
 * `IGGY_PASSWORD`, `IGGY_TOKEN`), or the embedded data dir (`--data-dir`, default
 * `./.rustok/iggy`; `RUSTOK_IGGY_MODE=remote` picks remote when neither flag is given). Unless
 * `create`, the stream must already exist. Existing partition counts are used as they are.
 */
export async function openSession(globals: GlobalOptions, io: CliIo, options: OpenOptions): Promise<Session> {
  let connector: IggyConnector;
  let location: string;
  const owns = options.connector === undefined;
  if (options.connector) {
    connector = options.connector;
    location = globals.address ?? dataDirOf(globals, io);
  } else if (globals.address !== undefined) {
    connector = createConnector(
      { mode: 'remote', remote: { addresses: [globals.address] } },
      { env: io.env, logger: options.logger },
    );
    location = globals.address;
  } else {
    const dataDir = dataDirOf(globals, io);
    // Without --data-dir, RUSTOK_IGGY_MODE may still choose remote (DESIGN §4).
    const config =
      globals.dataDir === undefined
        ? { embedded: { dataDir } }
        : { mode: 'embedded' as const, embedded: { dataDir } };
    connector = createConnector(config, { env: io.env, logger: options.logger });
    location = connector.mode === 'embedded' ? dataDir : (io.env.IGGY_ADDRESS ?? 'remote');
    if (connector.mode === 'embedded') await checkDataDir(dataDir, options.create);
  }
  try {
    await connector.connect();
    if (!options.create && (await connector.getStream(globals.stream)) === null) {
      throw new NotFoundError(`stream ${globals.stream} does not exist at ${location}`, {
        details: { stream: globals.stream },
      });
    }
    const transport = await IggyTransport.create({
      connector,
      stream: globals.stream,
      useExistingPartitionCount: true,
      logger: options.logger,
    });
    const close = async (): Promise<void> => {
      await transport.close();
      if (owns) await connector.close();
    };
    return { transport, connector, location, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    if (owns) await connector.close().catch(() => undefined);
    throw error;
  }
}
