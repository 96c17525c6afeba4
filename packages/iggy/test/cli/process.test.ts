import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeTempDir } from '@rustok/testkit';
import { describe, expect, it } from 'vitest';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.ts');
/** The tsx loader, by absolute URL: the child runs in a temp dir where `tsx` does not resolve. */
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs the CLI entry as its own process (through tsx, so no build is needed). */
function cli(args: string[], cwd: string) {
  return spawnSync(process.execPath, ['--import', tsx, main, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env.PATH ?? '' },
  });
}

describe('the rustok-iggy process', () => {
  it('exits with 0, 1 and 2 and leaves no handle open', async () => {
    await using dir = await makeTempDir('rustok-cli-proc-');
    const usage = cli([], dir.path);
    expect(usage.status).toBe(2);
    const missing = cli(['topics'], dir.path);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('[NOT_FOUND]');
    expect(missing.stderr.trim().split('\n')).toHaveLength(1); // no stack without --verbose
    const seeded = cli(['demo', '--orders', '2', '--json'], dir.path);
    // Nothing from the CLI on stderr (Node's own process warnings are not the CLI's output).
    const cliLines = seeded.stderr.split('\n').filter((l) => l !== '' && !/^\((node:\d+|Use `node)/.test(l));
    expect(cliLines).toEqual([]);
    expect(seeded.status).toBe(0);
    expect(JSON.parse(seeded.stdout).location).toBe(join(dir.path, '.rustok', 'iggy'));
  });
});
