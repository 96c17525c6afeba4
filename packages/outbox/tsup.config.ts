import { packageBuild } from '../../tsup.base';

export default packageBuild({
  // The drivers (better-sqlite3, pg) are optional peers used only behind the subpath entries.
  entry: ['src/index.ts', 'src/sqlite/index.ts', 'src/postgres/index.ts'],
  // Shared modules land in common chunks, so each class exists once however many entries load.
  splitting: true,
});
