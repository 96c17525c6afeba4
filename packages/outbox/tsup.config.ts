import { defineConfig } from 'tsup';

export default defineConfig({
  // The drivers (better-sqlite3, pg) are optional peers used only behind the subpath entries.
  entry: ['src/index.ts', 'src/sqlite/index.ts', 'src/postgres/index.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  // Shared modules land in common chunks, so each class exists once however many entries load.
  splitting: true,
});
