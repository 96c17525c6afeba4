// Plain-text tables for the benchmark report.

/** Formats a rate or size: thousands separators from 100 up, one decimal below. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

/** Formats a ratio as a percentage. */
export function pct(ratio: number): string {
  return `${Math.round(ratio * 100)} %`;
}

/** Formats milliseconds with two decimals. */
export function ms(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(2)} ms` : 'never';
}

/** Prints a table: first column left-aligned, the others right-aligned. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join(' | ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows) console.log(line(row));
}
