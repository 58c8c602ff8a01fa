// Listing output in the docker CLI's manner: an aligned table, or JSON for scripts.
import { InputError } from '../errors.js';

export type OutputFormat = 'table' | 'json';

/** For a `--format` not declared with formatOption (command.ts), which commander checks itself. */
export function parseFormat(value: string): OutputFormat {
  if (value === 'table' || value === 'json') return value;
  throw new InputError([`--format: expected "table" or "json", got "${value}"`]);
}

/** Columns separated by three spaces, headers in capitals, like `docker stack ls`. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('   ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

export function printList<T>(format: OutputFormat, items: T[], headers: string[], row: (item: T) => string[]): void {
  if (format === 'json') process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
  else process.stdout.write(renderTable(headers, items.map(row)));
}
