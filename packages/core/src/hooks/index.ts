/** Structured log fields; never put secrets here. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Minimal logger hook, compatible with pino-style and console-style loggers. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Metric labels: low-cardinality strings only (topic, group, code — never ids or tenants). */
export type MetricLabels = Readonly<Record<string, string>>;

/** Metrics hook: counters, histograms (latencies in ms, sizes in count/bytes) and gauges. */
export interface Metrics {
  increment(name: string, value?: number, labels?: MetricLabels): void;
  observe(name: string, value: number, labels?: MetricLabels): void;
  gauge(name: string, value: number, labels?: MetricLabels): void;
}

const noop = (): void => {};

/** A logger that discards everything (the default everywhere). */
export const noopLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

/** A metrics sink that discards everything (the default everywhere). */
export const noopMetrics: Metrics = Object.freeze({ increment: noop, observe: noop, gauge: noop });

/** Options every long-lived object accepts for observability. */
export interface ObservabilityOptions {
  logger?: Logger;
  metrics?: Metrics;
}

function guarded<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      fn(...args);
    } catch {
      // an observability hook must never break the work it observes
    }
  };
}

/** Wraps a logger so that a throwing implementation cannot disturb the caller. */
export function safeLogger(logger: Logger): Logger {
  return {
    debug: guarded((m, f) => logger.debug(m, f)),
    info: guarded((m, f) => logger.info(m, f)),
    warn: guarded((m, f) => logger.warn(m, f)),
    error: guarded((m, f) => logger.error(m, f)),
  };
}

/** Wraps a metrics sink so that a throwing implementation cannot disturb the caller. */
export function safeMetrics(metrics: Metrics): Metrics {
  return {
    increment: guarded((n, v, l) => metrics.increment(n, v, l)),
    observe: guarded((n, v, l) => metrics.observe(n, v, l)),
    gauge: guarded((n, v, l) => metrics.gauge(n, v, l)),
  };
}
