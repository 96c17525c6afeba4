/** One column of a table: its header and how its cells are aligned. */
export interface Column {
  header: string;
  align?: 'left' | 'right';
}

function width(text: string): number {
  return [...text].length;
}

/**
 * Lays out rows as an aligned text table with a header line; columns are separated by two
 * spaces, trailing blanks trimmed. Rows shorter than the header get empty cells.
 */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, i) =>
    Math.max(width(column.header), ...rows.map((row) => width(row[i] ?? ''))),
  );
  const line = (cells: readonly string[]): string =>
    columns
      .map((column, i) => {
        const cell = cells[i] ?? '';
        const pad = ' '.repeat(widths[i]! - width(cell));
        return column.align === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)].join('\n');
}
