import { defineConfig, type Options } from 'tsup';

/** The build every package shares: ESM-only for Node ≥ 20.19, with bundled `.d.ts`. */
export function packageBuild(options: Options) {
  return defineConfig({
    format: ['esm'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    ...options,
  });
}
