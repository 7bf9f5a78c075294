/**
 * CSV as RFC 4180 writes it (comma separated, CRLF line ends, fields with a comma, quote or line
 * break in double quotes, quotes doubled), UTF-8 with a byte-order mark so that Excel reads
 * Cyrillic and Kazakh letters correctly.
 */

/** The UTF-8 byte-order mark Excel looks for. */
export const BOM = '\uFEFF';

/**
 * Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return at the
 * start). Free text typed by citizens gets a leading apostrophe so that opening the export never
 * runs it (the OWASP advice on CSV injection).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export type CsvValue = string | number | boolean | Date | null | undefined;

/** One field: empty for null, ISO 8601 UTC for dates, quoted when it has to be. */
export function csvField(value: CsvValue, { freeText = false } = {}): string {
  if (value === null || value === undefined) return '';
  let s = value instanceof Date ? value.toISOString() : String(value);
  if (freeText && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record with its CRLF. `freeText` names the columns that get formula protection. */
export function csvLine(values: readonly CsvValue[], freeText: ReadonlySet<number> = new Set()): string {
  return values.map((v, i) => csvField(v, { freeText: freeText.has(i) })).join(',') + '\r\n';
}
