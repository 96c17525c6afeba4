import { defineConfig } from 'vitest/config';

// One vitest run over every package, so CI prints a single summary for the whole repo.
export default defineConfig({
  test: {
    projects: ['packages/*'],
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
