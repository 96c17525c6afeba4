import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as api from './index';

const here = dirname(fileURLToPath(import.meta.url));

/** Every module reachable from `entry` through relative imports, and the bare specifiers they use. */
function importGraph(entry: string): { files: Set<string>; bare: Set<string> } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)) {
      const spec = m[1] ?? m[2]!;
      if (spec.startsWith('.')) visit(`${resolve(dirname(file), spec)}.ts`.replace(/\.ts\.ts$/, '.ts'));
      else bare.add(spec);
    }
  };
  visit(entry);
  return { files, bare };
}

describe('public surface', () => {
  it('exports the relay, the transports and the worker error', () => {
    for (const name of ['createRelay', 'OutboxRelay', 'OutboxTransport', 'RoutingTransport', 'WorkerIdInUseError']) {
      expect(api).toHaveProperty(name);
    }
  });

  it.each(['index.ts', 'sqlite/index.ts', 'postgres/index.ts'])(
    '%s never imports a database driver (they are optional peers)',
    (entry) => {
      const { bare } = importGraph(join(here, entry));
      expect([...bare].sort()).toEqual(expect.not.arrayContaining(['better-sqlite3', 'pg']));
      expect([...bare].every((s) => s === 'zod' || s === '@rustok/core' || s.startsWith('node:'))).toBe(true);
    },
  );
});
