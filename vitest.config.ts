import { defineConfig } from 'vitest/config';

// One vitest run over every package and example, so CI prints a single summary for the whole repo.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*'],
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
