import type { LogFields, Logger } from '@rustok/core';
import { toJson } from './format';
import type { CliStream } from './io';

/**
 * A logger for the CLI: errors always go to `stream` (stderr), warnings unless `quiet`, info
 * and debug only with `--verbose` (which also overrides `quiet`). Never writes to stdout, so
 * `--json` output stays parseable.
 */
export function cliLogger(stream: CliStream, verbose: boolean, quiet = false): Logger {
  const write = (level: string, message: string, fields?: LogFields): void => {
    const extra = fields && Object.keys(fields).length > 0 ? ` ${toJson(fields)}` : '';
    stream.write(`${level}: ${message}${extra}\n`);
  };
  return {
    debug: (m, f) => {
      if (verbose) write('debug', m, f);
    },
    info: (m, f) => {
      if (verbose) write('info', m, f);
    },
    warn: (m, f) => {
      if (verbose || !quiet) write('warn', m, f);
    },
    error: (m, f) => write('error', m, f),
  };
}
