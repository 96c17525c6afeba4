import type { Clock } from '../log/types';

/** Test clock: time moves only when told; µs never go backwards and stay consistent with ms. */
export class ManualClock implements Clock {
  private lastMicros = 0n;

  constructor(private ms = 1_700_000_000_000) {}

  nowMs(): number {
    return this.ms;
  }

  nowMicros(): bigint {
    const now = BigInt(this.ms) * 1000n;
    if (now > this.lastMicros) this.lastMicros = now;
    return this.lastMicros;
  }

  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    this.ms += ms;
  }

  /** Sets the time (ms since epoch). */
  set(ms: number): void {
    this.ms = ms;
  }
}
