import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
import { SuiteContext } from './context';
import { groupsSuite } from './groups';
import { type ConformanceTarget, Scratch } from './helpers';
import { messagingSuite } from './messaging';
import { offsetsSuite } from './offsets';
import { pollingSuite } from './polling';
import { topologySuite } from './topology';

export type { ConformanceTarget } from './helpers';

/**
 * The connector conformance suite: pins the semantics every `IggyConnector` shares (DESIGN §4),
 * using the interface only. `factory` is called once; every test works in its own uniquely
 * named stream, so the suite also runs against a shared real server.
 */
export function runConnectorConformance(
  name: string,
  factory: () => Promise<ConformanceTarget>,
): void {
  describe(`IggyConnector conformance: ${name}`, () => {
    const ctx = new SuiteContext();
    beforeAll(async () => {
      ctx.setTarget(await factory());
    });
    afterAll(async () => {
      await ctx.target.cleanup();
    });
    beforeEach(() => {
      ctx.setScratch(new Scratch(ctx.connector));
    });
    afterEach(async () => {
      await ctx.scratch.dispose();
      ctx.setScratch(undefined);
    });

    topologySuite(ctx);
    messagingSuite(ctx);
    pollingSuite(ctx);
    offsetsSuite(ctx);
    groupsSuite(ctx);
  });
}
