import { type ArgValues, type GlobalOptions, globalOptions, parseCommandLine } from './args';
import type { Command, CommandContext, RunOptions } from './command';
import { benchCommand } from './commands/bench';
import { demoCommand } from './commands/demo';
import { dlqCommand } from './commands/dlq';
import { groupsCommand } from './commands/groups';
import { replayCommand } from './commands/replay';
import { tailCommand } from './commands/tail';
import { topicsCommand } from './commands/topics';
import { errorCode, errorDetail, errorMessage, isUsageError, UsageError } from './errors';
import { toJson } from './format';
import { commandHelp, generalHelp } from './help';
import type { CliIo } from './io';
import { cliLogger } from './logger';
import { openSession } from './session';
import { formatTable } from './table';

/** Every command, in help order. */
export const COMMANDS: readonly Command[] = [
  demoCommand,
  topicsCommand,
  tailCommand,
  replayCommand,
  groupsCommand,
  dlqCommand,
  benchCommand,
];

/** Exit codes of the CLI. */
export const ExitCode = { OK: 0, RUNTIME: 1, USAGE: 2 } as const;

const HELP_FLAGS = new Set(['--help', '-h']);

function contextFor(
  io: CliIo,
  globals: GlobalOptions,
  parsed: { values: ArgValues; positionals: string[] },
  options: RunOptions,
): CommandContext {
  const logger = cliLogger(io.stderr, globals.verbose);
  return {
    io,
    globals,
    values: parsed.values,
    positionals: parsed.positionals,
    logger,
    open: (o = {}) =>
      openSession(globals, io, {
        create: o.create ?? false,
        logger: o.quiet ? cliLogger(io.stderr, globals.verbose, true) : logger,
        ...(options.connector ? { connector: options.connector } : {}),
      }),
    print: (line = '') => io.stdout.write(`${line}\n`),
    json: (value) => io.stdout.write(`${toJson(value, true)}\n`),
    jsonLine: (value) => io.stdout.write(`${toJson(value)}\n`),
    table: (columns, rows) => io.stdout.write(`${formatTable(columns, rows)}\n`),
  };
}

function report(io: CliIo, error: unknown, flags: { json: boolean; verbose: boolean }): number {
  if (isUsageError(error)) {
    const command = (error as UsageError).command;
    io.stderr.write(`rustok-iggy: ${errorMessage(error)}\n`);
    io.stderr.write(`Run 'rustok-iggy ${command ?? ''}${command ? ' ' : ''}--help' for usage.\n`);
    return ExitCode.USAGE;
  }
  const code = errorCode(error);
  if (flags.json) io.stderr.write(`${toJson({ error: { code, message: errorMessage(error) } })}\n`);
  else io.stderr.write(`rustok-iggy: error [${code}]: ${errorMessage(error)}\n`);
  if (flags.verbose) io.stderr.write(`${errorDetail(error)}\n`);
  return ExitCode.RUNTIME;
}

/**
 * Runs `rustok-iggy` with `argv` (the words after the program name) and returns the exit code:
 * 0 ok, 1 runtime error (one line with the error code; the stack only with `--verbose`),
 * 2 usage error. Output goes to `io`, so tests can run it in-process.
 */
export async function run(argv: readonly string[], io: CliIo, options: RunOptions = {}): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(generalHelp(COMMANDS));
    return ExitCode.USAGE;
  }
  if (HELP_FLAGS.has(name) || name === 'help') {
    const topic = COMMANDS.find((c) => c.name === rest[0]);
    io.stdout.write(topic ? commandHelp(topic) : generalHelp(COMMANDS));
    return ExitCode.OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  const flags = { json: rest.includes('--json'), verbose: rest.includes('--verbose') || rest.includes('-v') };
  if (!command) {
    return report(io, new UsageError(`unknown command ${JSON.stringify(name)} (expected one of ${COMMANDS.map((c) => c.name).join(', ')})`), flags);
  }
  if (rest.some((word) => HELP_FLAGS.has(word))) {
    io.stdout.write(commandHelp(command));
    return ExitCode.OK;
  }
  try {
    const parsed = parseCommandLine(command.name, rest, command.options, command.allowPositionals);
    const globals = globalOptions(parsed.values, command.name);
    await command.run(contextFor(io, globals, parsed, options));
    return ExitCode.OK;
  } catch (error) {
    return report(io, error, flags);
  }
}
