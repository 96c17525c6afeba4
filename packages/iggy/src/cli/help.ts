import type { Command } from './command';

/** Help for the options every command accepts. */
export const GLOBAL_HELP = `Global options:
  --data-dir DIR        embedded data dir (default ./.rustok/iggy)
  --address HOST:PORT   a remote Iggy server instead; credentials come from the environment
                        (IGGY_USERNAME, IGGY_PASSWORD or IGGY_TOKEN), never from flags
  --stream NAME         stream (default rustok)
  --json                machine-readable JSON on stdout (bigints as strings)
  -v, --verbose         log details, and the stack of an error
  -h, --help            this help; per command: rustok-iggy COMMAND --help
`;

/** The top-level help: commands, global options, exit codes. */
export function generalHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `rustok-iggy: inspect and operate rustok event streams on an embedded data dir or an Iggy server

Usage: rustok-iggy COMMAND [options]

Commands:
${list}

${GLOBAL_HELP}
Exit codes: 0 ok, 1 runtime error (message and error code), 2 usage error.
`;
}

/** The help of one command followed by the global options. */
export function commandHelp(command: Command): string {
  return `${command.help}\n${GLOBAL_HELP}`;
}
