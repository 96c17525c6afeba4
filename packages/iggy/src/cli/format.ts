/** Turns a value into plain JSON data: bigints as strings, dates as ISO text, bytes as base64. */
export function toJsonData(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map(toJsonData);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = toJsonData(item);
    }
    return out;
  }
  return value;
}

/** JSON text of a value (see `toJsonData`); `pretty` indents by two spaces. */
export function toJson(value: unknown, pretty = false): string {
  return JSON.stringify(toJsonData(value), null, pretty ? 2 : undefined);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** A byte count in binary units: `512 B`, `1.5 KiB`, `10.0 GiB`. */
export function formatBytes(bytes: bigint | number): string {
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** A retention period: `30d`, `12h`, `5m`, `40s`, `250ms`; null or 0 is `never`. */
export function formatPeriod(ms: number | null): string {
  if (ms === null || ms === 0) return 'never';
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  for (const [size, suffix] of units) if (ms % size === 0) return `${ms / size}${suffix}`;
  return `${ms}ms`;
}

/** An integer with thousands separators: `20,000`. */
export function formatCount(n: bigint | number): string {
  return (typeof n === 'bigint' ? n : Math.round(n)).toLocaleString('en-US');
}

/** A broker time in µs since the epoch as ISO-8601 UTC (millisecond precision). */
export function formatMicros(micros: bigint): string {
  return new Date(Number(micros / 1000n)).toISOString();
}

/** `text` cut to at most `max` characters, ending with `…` when cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** A rate per second from a count and a duration in ms. */
export function perSecond(count: number, ms: number): number {
  return ms <= 0 ? 0 : (count * 1000) / ms;
}
