import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors';

/** Option declarations in `node:util` `parseArgs` form. */
export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Values of parsed options by long name. */
export type ArgValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** A parsed command line of one command. */
export interface ParsedArgs {
  values: ArgValues;
  positionals: string[];
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS = {
  'data-dir': { type: 'string' },
  address: { type: 'string' },
  stream: { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionsConfig;

/** Default embedded data dir (relative to the working directory). */
export const DEFAULT_DATA_DIR = './.rustok/iggy';
/** Default stream. */
export const DEFAULT_STREAM = 'rustok';

/** The global options, resolved. */
export interface GlobalOptions {
  /** `--data-dir`, as given (undefined: the default, or remote via `RUSTOK_IGGY_MODE`). */
  dataDir: string | undefined;
  /** `--address host:port`: use a remote server. */
  address: string | undefined;
  stream: string;
  json: boolean;
  verbose: boolean;
  help: boolean;
}

const CREDENTIAL_FLAGS = new Set(['username', 'password', 'token', 'user', 'pass']);

function unknownOptionName(message: string): string | undefined {
  return /'(-{1,2}[\w-]+)/.exec(message)?.[1];
}

/**
 * Parses `argv` (the words after the command name) strictly against the global options plus
 * `options`. Unknown flags, missing values and stray positionals become a `UsageError`.
 */
export function parseCommandLine(
  command: string,
  argv: readonly string[],
  options: OptionsConfig,
  allowPositionals: boolean,
): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...GLOBAL_OPTIONS, ...options },
      strict: true,
      allowPositionals,
    });
    return { values: values as ArgValues, positionals };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const name = unknownOptionName(message) ?? message;
      if (CREDENTIAL_FLAGS.has(name.replace(/^-+/, ''))) {
        throw new UsageError(
          `credentials are never taken from flags: set IGGY_USERNAME and IGGY_PASSWORD (or IGGY_TOKEN)`,
          command,
        );
      }
      throw new UsageError(`unknown option ${name}`, command);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = unknownOptionName(message);
      throw new UsageError(name ? `option ${name} needs a value` : message, command);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new UsageError(`unexpected argument ${JSON.stringify(/'([^']*)'/.exec(message)?.[1] ?? '')}`, command);
    }
    throw error;
  }
}

/** A string option's value, if given. */
export function stringOption(values: ArgValues, name: string): string | undefined {
  const value = values[name];
  if (Array.isArray(value)) return value.length > 0 ? String(value[value.length - 1]) : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** All values of a repeatable string option (each may also be comma-separated). */
export function stringListOption(values: ArgValues, name: string): string[] {
  const value = values[name];
  const raw = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return raw
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** A boolean flag. */
export function flagOption(values: ArgValues, name: string): boolean {
  return values[name] === true;
}

/** A non-negative (or ≥ `min`) integer option, if given; malformed values are a `UsageError`. */
export function intOption(
  values: ArgValues,
  name: string,
  command: string,
  range: { min?: number; max?: number } = {},
): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const bound = range.max === undefined ? `≥ ${min}` : `between ${min} and ${max}`;
    throw new UsageError(`--${name} must be an integer ${bound}, got ${JSON.stringify(text)}`, command);
  }
  return n;
}

/** Resolves the global options; `--data-dir` together with `--address` is a `UsageError`. */
export function globalOptions(values: ArgValues, command: string): GlobalOptions {
  const dataDir = stringOption(values, 'data-dir');
  const address = stringOption(values, 'address');
  if (dataDir !== undefined && address !== undefined) {
    throw new UsageError('pass either --data-dir (embedded) or --address (remote), not both', command);
  }
  if (address !== undefined && !/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/.test(address)) {
    throw new UsageError(`--address must be host:port, got ${JSON.stringify(address)}`, command);
  }
  const stream = stringOption(values, 'stream') ?? DEFAULT_STREAM;
  if (stream.length === 0) throw new UsageError('--stream must not be empty', command);
  return {
    dataDir,
    address,
    stream,
    json: flagOption(values, 'json'),
    verbose: flagOption(values, 'verbose'),
    help: flagOption(values, 'help'),
  };
}

/** A position in a topic, as written on the command line. */
export type Position =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset'; offset: bigint }
  | { kind: 'time'; micros: bigint };

/**
 * Parses `earliest`, `latest`, `offset:N` or `time:ISO-8601` (only the kinds in `allowed`).
 * `time:` is broker append time; its value is kept in µs.
 */
export function parsePosition(
  text: string,
  flag: string,
  command: string,
  allowed: readonly Position['kind'][],
): Position {
  const forms = allowed.map((k) => (k === 'offset' ? 'offset:N' : k === 'time' ? 'time:ISO' : k)).join('|');
  const fail = (): never => {
    throw new UsageError(`--${flag} must be ${forms}, got ${JSON.stringify(text)}`, command);
  };
  let position: Position;
  if (text === 'earliest' || text === 'latest') position = { kind: text };
  else if (text.startsWith('offset:')) {
    const digits = text.slice('offset:'.length);
    if (!/^\d{1,20}$/.test(digits)) return fail();
    position = { kind: 'offset', offset: BigInt(digits) };
  } else if (text.startsWith('time:')) {
    const iso = text.slice('time:'.length);
    const ms = /^\d{4}-\d{2}-\d{2}/.test(iso) ? Date.parse(iso) : Number.NaN;
    if (Number.isNaN(ms) || ms < 0) return fail();
    position = { kind: 'time', micros: BigInt(ms) * 1000n };
  } else return fail();
  if (!allowed.includes(position.kind)) fail();
  return position;
}
