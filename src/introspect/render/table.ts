import { truncate, visibleWidth } from './terminal-text.js';

/** One column of a {@link renderTable} table. */
export interface TableColumn {
  /** Heading, shown in upper case. */
  header: string;
  /** Shrinks (with `…`) when the table is wider than the terminal; the last such column shrinks first. */
  flexible?: boolean;
}

/** Options of {@link renderTable}. */
export interface TableOptions {
  /** Width of the terminal in columns (default: no limit). */
  maxWidth?: number | undefined;
  /** Indentation of every line (default 2 spaces). */
  indent?: string | undefined;
  /** Styles the header cells (e.g. bold); must not change the visible width. */
  styleHeader?: ((text: string) => string) | undefined;
  /** Styles a body cell by column index; must not change the visible width. */
  styleCell?: ((text: string, column: number) => string) | undefined;
}

const GAP = '  ';
const MIN_FLEX_WIDTH = 12;

/**
 * Renders plain-text cells as an aligned table (no borders), fitting `maxWidth` by shrinking the
 * flexible columns. Cells must already be single-line, control-free text.
 *
 * @param columns - the columns
 * @param rows - the cells, one array per row
 * @param options - width limit, indentation, styles
 * @returns the lines, each ending with a newline
 * @example
 * ```ts
 * renderTable([{ header: 'name' }, { header: 'description', flexible: true }], [['echo', 'Echoes']]);
 * ```
 */
export function renderTable(
  columns: readonly TableColumn[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string {
  const indent = options.indent ?? '  ';
  const widths = columns.map((column, i) =>
    Math.max(visibleWidth(column.header), ...rows.map((row) => visibleWidth(row[i] ?? ''))),
  );
  const maxWidth = options.maxWidth ?? Number.POSITIVE_INFINITY;
  const total = (): number =>
    visibleWidth(indent) + widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
  for (let i = columns.length - 1; i >= 0 && total() > maxWidth; i--) {
    if (!columns[i]?.flexible) continue;
    const excess = total() - maxWidth;
    widths[i] = Math.max(MIN_FLEX_WIDTH, (widths[i] ?? 0) - excess);
  }
  const styleHeader = options.styleHeader ?? ((text: string) => text);
  const styleCell = options.styleCell ?? ((text: string) => text);
  const line = (cells: readonly string[], style: (text: string, column: number) => string): string => {
    const parts = columns.map((_, i) => {
      const width = widths[i] ?? 0;
      const text = truncate(cells[i] ?? '', width);
      const padding = i === columns.length - 1 ? '' : ' '.repeat(width - visibleWidth(text));
      return style(text, i) + padding;
    });
    return `${indent}${parts.join(GAP)}`.trimEnd() + '\n';
  };
  return (
    line(
      columns.map((c) => c.header.toUpperCase()),
      (text) => styleHeader(text),
    ) + rows.map((row) => line(row, styleCell)).join('')
  );
}
