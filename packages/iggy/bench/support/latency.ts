// Publish-to-handler latency at a fixed offered load. An open-loop generator schedules sends by
// wall clock (event k is due at start + k / rate) and publishes every due event whenever it runs,
// however late; latency is measured from the SCHEDULED time, so a stalled generator or a queue
// in front of the log shows up in the figures instead of silently lowering the offered load
// (no coordinated omission).
import type { EventEnvelope } from '@rustok/core';
import type { IggyTransport } from '../../src/index';

/** What one latency run measured. */
export interface LatencyResult {
  offeredPerSec: number;
  /** Events scheduled inside the measured window. */
  scheduled: number;
  /** Events of the window whose handler ran before the drain deadline. */
  measured: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Options of `measureLatency`. */
export interface LatencyOptions {
  /** Offered load in events per second. */
  rate: number;
  /** Unmeasured lead-in, ms. */
  warmupMs: number;
  /** Measured window, ms. */
  durationMs: number;
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Runs the generator over `pool` (reused cyclically) and a subscriber on `transport`; the
 * handler matches each event to its scheduled time through per-tenant FIFO queues, which is
 * exact because the transport keeps every tenant's order.
 */
export async function measureLatency(
  transport: IggyTransport,
  pool: readonly EventEnvelope[],
  options: LatencyOptions,
): Promise<LatencyResult> {
  const { rate, warmupMs, durationMs } = options;
  const total = Math.floor(((warmupMs + durationMs) / 1000) * rate);
  const windowStart = Math.floor((warmupMs / 1000) * rate);
  const latencies = new Float64Array(total - windowStart);
  const pending = new Map<string, { at: number; k: number }[]>();
  let measured = 0;
  let handled = 0;
  let allHandled!: () => void;
  const drained = new Promise<void>((resolve) => {
    allHandled = resolve;
  });
  const subscription = await transport.subscribe('latency', {
    topics: ['domain'],
    startFrom: 'latest',
    handler: (event) => {
      const now = performance.now();
      const entry = pending.get(event.tenantId)?.shift();
      if (entry === undefined) throw new Error(`unexpected event of ${event.tenantId}`);
      if (entry.k >= windowStart) latencies[measured++] = now - entry.at;
      handled += 1;
      if (handled === total) allHandled();
    },
  });
  // Let the member find its start position before the first send.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const errors: unknown[] = [];
  const start = performance.now();
  let k = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      while (k < due) {
        const envelope = pool[k % pool.length]!;
        let queue = pending.get(envelope.tenantId);
        if (!queue) {
          queue = [];
          pending.set(envelope.tenantId, queue);
        }
        queue.push({ at: start + (k * 1000) / rate, k });
        transport.publish(envelope).catch((error: unknown) => errors.push(error));
        k += 1;
      }
      if (k < total) setImmediate(tick);
      else resolve();
    };
    tick();
  });
  const deadline = setTimeout(() => allHandled(), 10_000);
  await drained;
  clearTimeout(deadline);
  await subscription.close();
  if (errors.length > 0) throw errors[0];
  // Events not handled by the drain deadline count as infinitely late.
  latencies.fill(Number.POSITIVE_INFINITY, measured);
  const sorted = latencies.sort();
  return {
    offeredPerSec: rate,
    scheduled: total - windowStart,
    measured,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    p999: quantile(sorted, 0.999),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
  };
}
