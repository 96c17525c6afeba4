import type { IggyConnector } from '../../src/types';
import type { ConformanceTarget, Scratch } from './helpers';

/** Shared state of one conformance run: the target and the current test's scratch space. */
export class SuiteContext {
  #target: ConformanceTarget | undefined;
  #scratch: Scratch | undefined;

  /** Sets the target (in `beforeAll`). */
  setTarget(target: ConformanceTarget): void {
    this.#target = target;
  }

  /** Sets the current test's scratch space (in `beforeEach`). */
  setScratch(scratch: Scratch | undefined): void {
    this.#scratch = scratch;
  }

  /** The target under test. */
  get target(): ConformanceTarget {
    if (!this.#target) throw new Error('conformance target not created');
    return this.#target;
  }

  /** The connector under test. */
  get connector(): IggyConnector {
    return this.target.connector;
  }

  /** The current test's scratch space. */
  get scratch(): Scratch {
    if (!this.#scratch) throw new Error('no scratch space outside a test');
    return this.#scratch;
  }

  /** The bound within which group assignments must settle. */
  get settleMs(): number {
    return this.target.settleTimeoutMs ?? 10_000;
  }
}
