import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@rustok/iggy-connector',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
