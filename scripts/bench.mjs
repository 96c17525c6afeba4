#!/usr/bin/env node
// Runs every package benchmark (packages/*/bench/*.bench.ts) in sequence with tsx and prints
// their reports. Benchmarks print figures and ratios against baselines measured in the same run.
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
const files = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', pkg, 'bench');
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) {
    if (f.endsWith('.bench.ts') && (only.length === 0 || only.some((o) => f.includes(o) || pkg.includes(o)))) {
      files.push(join(dir, f));
    }
  }
}
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n=== ${file.slice(root.length)} ===\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
