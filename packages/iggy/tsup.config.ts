import { packageBuild } from '../../tsup.base';

export default packageBuild({
  // `cli` is the `rustok-iggy` bin; its entry starts with a `#!/usr/bin/env node` line, which
  // esbuild keeps and tsup marks executable. Types are emitted for the library entry only.
  entry: { index: 'src/index.ts', cli: 'src/cli/main.ts' },
  dts: { entry: { index: 'src/index.ts' } },
  // The CLI and the library share chunks instead of the CLI carrying a second copy.
  splitting: true,
});
