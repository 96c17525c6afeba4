import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@rustok/outbox',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Finds PostgreSQL once per run (env URL, testcontainers, or one printed skip reason).
    globalSetup: ['./test/global-setup.ts'],
  },
});
