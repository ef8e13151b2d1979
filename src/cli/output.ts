// Output of the `kapi` command: JSON for scripts (--json), aligned lines and tables for people.
// Everything goes to stdout except errors, which are one line on stderr.

export type Cell = string | number | boolean | Date | null | undefined | readonly unknown[];

function text(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.length ? value.map(text).join(', ') : '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Dates as ISO strings, the rest as JSON would have it. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_key, v: unknown) => (v instanceof Date ? v.toISOString() : v), 2)}\n`);
}

/** `label: value` lines, labels aligned. */
export function printFields(fields: Record<string, unknown>): void {
  const entries = Object.entries(fields);
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  for (const [key, value] of entries) process.stdout.write(`${`${key}:`.padEnd(width + 2)}${text(value)}\n`);
}

/** A table with a header row; `empty` is printed instead when there are no rows. `headers`: the header
 *  row as given (a translated one), instead of the column names in capitals. */
export function printTable(columns: readonly string[], rows: readonly Record<string, unknown>[], empty = '(none)', headers?: readonly string[]): void {
  if (!rows.length) {
    process.stdout.write(`${empty}\n`);
    return;
  }
  const cells = rows.map((row) => columns.map((c) => text(row[c])));
  const head = headers ? [...headers] : columns.map((c) => c.toUpperCase());
  const widths = columns.map((_c, i) => Math.max(head[i]!.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!))).join('  ');
  process.stdout.write(`${line(head)}\n`);
  for (const r of cells) process.stdout.write(`${line(r)}\n`);
}

export function printLine(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** One line on stderr, the way every `kapi` error is reported. */
export function printError(message: string): void {
  process.stderr.write(`error: ${message}\n`);
}
