import { defineConfig } from 'tsup';

export default defineConfig({
  // `cli` is the `rustok-iggy` bin; its entry starts with a `#!/usr/bin/env node` line, which
  // esbuild keeps and tsup marks executable. Types are emitted for the library entry only.
  entry: { index: 'src/index.ts', cli: 'src/cli/main.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
});
