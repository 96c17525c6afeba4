import { join } from 'node:path';
import { makeTempDir } from '@rustok/testkit';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli';

describe('usage errors exit with code 2', () => {
  it.each([
    [[], 'Usage: rustok-iggy COMMAND'],
    [['bogus'], 'unknown command "bogus"'],
    [['topics', '--bogus'], 'unknown option --bogus'],
    [['topics', 'extra'], 'unexpected argument "extra"'],
    [['replay', '--from', 'yesterday'], '--from must be earliest|offset:N|time:ISO'],
    [['replay', '--to', 'earliest'], '--to must be offset:N|time:ISO'],
    [['replay', '--limit', '0'], '--limit must be an integer ≥ 1, got "0"'],
    [['tail', '--topic'], 'option --topic needs a value'],
    [['topics', '--data-dir', 'a', '--address', '127.0.0.1:8090'], 'not both'],
    [['topics', '--address', 'nohost'], '--address must be host:port'],
    [['topics', '--password', 'secret'], 'credentials are never taken from flags'],
    [['bench', '--fsync', 'sometimes'], '--fsync must be one of'],
    [['bench', '--data-dir', 'x'], 'bench always runs on a fresh temp data dir'],
  ])('%j', async (argv, message) => {
    const { code, stdout, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).not.toContain('secret');
  });
});

describe('help', () => {
  it('prints the command list and per-command help with exit code 0', async () => {
    const general = await runCli(['--help']);
    expect(general.code).toBe(0);
    for (const name of ['demo', 'topics', 'tail', 'replay', 'groups', 'dlq', 'bench']) {
      expect(general.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
    const replay = await runCli(['replay', '--help']);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/^Usage: rustok-iggy replay/);
    expect(replay.stdout).toContain('--data-dir DIR');
    expect((await runCli(['help', 'dlq'])).stdout).toMatch(/^Usage: rustok-iggy dlq/);
  });
});

describe('runtime errors exit with code 1 and one line', () => {
  it('names a missing data dir without creating it', async () => {
    await using dir = await makeTempDir('rustok-cli-');
    const missing = join(dir.path, 'nowhere');
    const { code, stdout, stderr } = await runCli(['topics', '--data-dir', missing]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `rustok-iggy: error [NOT_FOUND]: no embedded data dir at ${missing} (create one with \`rustok-iggy demo --data-dir ${missing}\`, or pass --data-dir or --address)\n`,
    );
    const { existsSync } = await import('node:fs');
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses a directory that is not a data dir, and shows the stack only with --verbose', async () => {
    await using dir = await makeTempDir('rustok-cli-');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir.path, 'notes.txt'), 'hello');
    const plain = await runCli(['groups', '--data-dir', dir.path]);
    expect(plain.code).toBe(1);
    expect(plain.stderr.trim().split('\n')).toHaveLength(1);
    expect(plain.stderr).toContain('[VALIDATION]');
    expect(plain.stderr).toContain('is not an embedded rustok-iggy data dir');
    const verbose = await runCli(['groups', '--data-dir', dir.path, '--verbose']);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/\n\s+at /);
    const json = await runCli(['groups', '--data-dir', dir.path, '--json']);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'VALIDATION' } });
  });

  it('resolves the default data dir against the working directory', async () => {
    await using dir = await makeTempDir('rustok-cli-');
    const { code, stderr } = await runCli(['dlq', 'list'], { cwd: dir.path });
    expect(code).toBe(1);
    expect(stderr).toContain(`no embedded data dir at ${join(dir.path, '.rustok', 'iggy')}`);
  });

  it('reads remote credentials from the environment only and reports a clear error', async () => {
    const noCredentials = await runCli(['topics', '--address', '127.0.0.1:1']);
    expect(noCredentials.code).toBe(1);
    expect(noCredentials.stderr).toContain('IGGY_PASSWORD');
    const secret = 'pa55-not-printed';
    const withPassword = await runCli(['topics', '--address', '127.0.0.1:1'], { env: { IGGY_PASSWORD: secret } });
    expect(withPassword.code).toBe(1);
    // Nothing listens on port 1: the connector gives up with a typed connection error.
    expect(withPassword.stderr).toMatch(/^rustok-iggy: error \[(CONNECTION|TIMEOUT)\]: [^\n]+\n$/);
    expect(withPassword.stderr).not.toContain(secret);
  });
});
