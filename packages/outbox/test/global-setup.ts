import { acquirePostgres } from '@rustok/testkit';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection URL of the PostgreSQL server for this run, or null when its suites are skipped. */
    pgUrl: string | null;
  }
}

/** Finds a PostgreSQL server once for all outbox suites and prints the reason when there is none. */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const found = await acquirePostgres();
  if (found.status === 'skipped') {
    console.warn(`[@rustok/outbox] ${found.reason}`);
    project.provide('pgUrl', null);
    return undefined;
  }
  project.provide('pgUrl', found.server.url);
  return () => found.server.close();
}
