import type { Clock } from '../../src/index';

/** A clock tests move by hand; µs never go backwards and advance by 1 per call. */
export class FakeClock implements Clock {
  #ms: number;
  #lastMicros = 0n;

  /** Starts at `startMs` (default: now). */
  constructor(startMs = Date.now()) {
    this.#ms = startMs;
  }

  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    this.#ms += ms;
  }

  /** Current time in ms. */
  nowMs(): number {
    return this.#ms;
  }

  /** Current time in µs, strictly increasing between calls. */
  nowMicros(): bigint {
    const base = BigInt(this.#ms) * 1000n;
    this.#lastMicros = base > this.#lastMicros ? base : this.#lastMicros + 1n;
    return this.#lastMicros;
  }
}
