import type { Clock } from './log/types';

/** How far (µs) the monotonic clock may drift from wall time before it is re-anchored. */
const MAX_DRIFT_MICROS = 100_000n;

let anchorMicros = BigInt(Date.now()) * 1000n;
let anchorHr = process.hrtime.bigint();
let lastMicros = 0n;

/** Wall time in µs derived from the monotonic high-resolution timer. */
function monotonicMicros(): bigint {
  const hr = process.hrtime.bigint();
  let now = anchorMicros + (hr - anchorHr) / 1000n;
  const wall = BigInt(Date.now()) * 1000n;
  const drift = now > wall ? now - wall : wall - now;
  if (drift > MAX_DRIFT_MICROS) {
    // NTP stepped the wall clock or the timers drifted: follow wall time again.
    anchorMicros = wall;
    anchorHr = hr;
    now = wall;
  }
  return now;
}

/**
 * The real clock: `nowMs` is `Date.now()`, `nowMicros` is wall time in µs from the monotonic
 * timer, never going backwards within the process (a wall-clock step back is absorbed).
 */
export const systemClock: Clock = Object.freeze({
  nowMs: (): number => Date.now(),
  nowMicros(): bigint {
    const now = monotonicMicros();
    if (now > lastMicros) lastMicros = now;
    return lastMicros;
  },
});
