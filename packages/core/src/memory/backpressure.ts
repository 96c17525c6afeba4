/** Fill state of a bounded queue: below the warning ratio, at/above it, at/above the critical one. */
export type BackpressureState = 'normal' | 'warning' | 'critical';

/** Queue fill ratios at which the state changes (defaults 0.7 and 0.9). */
export interface BackpressureThresholds {
  warningRatio: number;
  criticalRatio: number;
}

/** A change of one group's backpressure state. */
export interface BackpressureChange {
  group: string;
  previous: BackpressureState;
  current: BackpressureState;
  queued: number;
  capacity: number;
}

/** One group's queue as seen by `backpressure()`. */
export interface GroupBackpressure {
  state: BackpressureState;
  /** Events waiting for a handler (not counting those being handled). */
  queued: number;
  capacity: number;
  /** Events being handled right now. */
  inFlight: number;
  /** Events dropped by the `drop-oldest` policy since the group was created. */
  dropped: number;
}

/** Backpressure of every group; `state` is the worst group's. */
export interface BackpressureSnapshot {
  state: BackpressureState;
  groups: Record<string, GroupBackpressure>;
}

const RANK: Record<BackpressureState, number> = { normal: 0, warning: 1, critical: 2 };

/** The state of a queue holding `queued` of `capacity` items. */
export function backpressureState(
  queued: number,
  capacity: number,
  thresholds: BackpressureThresholds,
): BackpressureState {
  const ratio = queued / capacity;
  if (ratio >= thresholds.criticalRatio) return 'critical';
  if (ratio >= thresholds.warningRatio) return 'warning';
  return 'normal';
}

/** The worse of two states. */
export function worstState(a: BackpressureState, b: BackpressureState): BackpressureState {
  return RANK[a] >= RANK[b] ? a : b;
}
