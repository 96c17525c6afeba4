#!/usr/bin/env node
// Checks that packages version independently: in a scratch copy of the tracked files, a patch
// changeset for @rustok/core alone must change @rustok/core's version and no other package's.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const changesetBin = join(root, 'node_modules', '@changesets', 'cli', 'bin.js');
const scratch = mkdtempSync(join(tmpdir(), 'rustok-versioning-'));
const versions = (dir) =>
  Object.fromEntries(
    readdirSync(join(dir, 'packages')).map((p) => {
      const pkg = JSON.parse(readFileSync(join(dir, 'packages', p, 'package.json'), 'utf8'));
      return [pkg.name, pkg.version];
    }),
  );
try {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root })
    .toString()
    .split('\0')
    .filter((f) => f && !f.startsWith('.changeset/') && (f.endsWith('package.json') || f === 'pnpm-workspace.yaml'));
  for (const f of files) {
    mkdirSync(dirname(join(scratch, f)), { recursive: true });
    cpSync(join(root, f), join(scratch, f));
  }
  mkdirSync(join(scratch, '.changeset'));
  cpSync(join(root, '.changeset', 'config.json'), join(scratch, '.changeset', 'config.json'));
  writeFileSync(join(scratch, '.changeset', 'core-patch.md'), '---\n"@rustok/core": patch\n---\n\nCheck.\n');
  execFileSync('git', ['init', '-q'], { cwd: scratch });
  const before = versions(scratch);
  execFileSync(process.execPath, [changesetBin, 'version'], { cwd: scratch, stdio: 'pipe' });
  const after = versions(scratch);
  const changed = Object.keys(after).filter((name) => after[name] !== before[name]);
  if (changed.length !== 1 || changed[0] !== '@rustok/core') {
    console.error(`independent versioning broken: a core patch changed ${JSON.stringify(changed)}`);
    process.exit(1);
  }
  console.log(`independent versioning ok: @rustok/core ${before['@rustok/core']} -> ${after['@rustok/core']}, nothing else changed`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
