import type { IggyConnector } from '@rustok/iggy-connector';
import type { ArgValues, GlobalOptions, OptionsConfig } from './args';
import type { Column } from './table';
import type { CliIo } from './io';
import type { Logger } from '@rustok/core';
import type { Session } from './session';

/** What a command gets to do its work. */
export interface CommandContext {
  io: CliIo;
  globals: GlobalOptions;
  values: ArgValues;
  positionals: string[];
  logger: Logger;
  /**
   * Opens the target (see `openSession`); `create` only for commands that seed data; `quiet`
   * hides the library's warnings (e.g. the dead letters `demo` causes on purpose) unless `--verbose`.
   */
  open(options?: { create?: boolean; quiet?: boolean }): Promise<Session>;
  /** Writes one line to stdout. */
  print(line?: string): void;
  /** Writes a value as pretty JSON (bigints as strings) to stdout. */
  json(value: unknown): void;
  /** Writes a value as one compact JSON line (for streams of records). */
  jsonLine(value: unknown): void;
  /** Writes an aligned table to stdout. */
  table(columns: readonly Column[], rows: readonly (readonly string[])[]): void;
}

/** One subcommand of `rustok-iggy`. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text. */
  help: string;
  /** Options besides the global ones. */
  options: OptionsConfig;
  allowPositionals: boolean;
  run(ctx: CommandContext): Promise<void>;
}

/** Hooks for running the CLI in-process (tests). */
export interface RunOptions {
  /** Use this connector instead of opening `--data-dir` / `--address` (not closed by the CLI). */
  connector?: IggyConnector;
}
