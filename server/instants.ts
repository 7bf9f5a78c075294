/**
 * Dates and instants that come from clients (filters, cursors, Open311 dates), checked so that
 * what passes here PostgreSQL also accepts. JavaScript's `Date.parse` is far more lenient than
 * PostgreSQL's `timestamptz` input: it takes `0` (the year 2000), rolls `2026-02-30` over to
 * March and reads years up to ±275760, all of which PostgreSQL refuses (a 500 if they got that
 * far). Every parser of a client's date goes through `parseInstant`.
 */

/** The years a client may name: wide enough for any appeal, narrow enough for every engine. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2200;

// ISO 8601 / RFC 3339: a date, optionally a time (minutes at least), fraction and UTC offset.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;

/** True when y-m-d is a day of the calendar within MIN_YEAR..MAX_YEAR (2026-02-30 is not). */
export function isCalendarDate(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || y < MIN_YEAR || y > MAX_YEAR) return false;
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** A client's instant, checked: its text as given, milliseconds since the epoch, and whether it is a bare date. */
export interface Instant {
  text: string;
  ms: number;
  dateOnly: boolean;
}

/**
 * Parses an ISO 8601 date (`2026-03-21`) or date-time (`2026-03-21T10:00`, `…:00.123456Z`,
 * `…+05:00`), or returns null when it is not one PostgreSQL and JavaScript both read alike: a
 * real calendar day in 1900–2200, hours 0–23, minutes and seconds 0–59, an offset within ±14 h.
 * A date without an offset is read as UTC in `ms` (callers that mean the city's day say so).
 */
export function parseInstant(s: string): Instant | null {
  if (typeof s !== 'string' || s.length > 40) return null;
  const m = INSTANT.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!isCalendarDate(y, mo, d)) return null;
  if (m[4] === undefined) return { text: s, ms: Date.UTC(y, mo - 1, d), dateOnly: true };
  const [h, mi, sec] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (h > 23 || mi > 59 || sec > 59) return null;
  const offH = Number(m[10] ?? 0);
  const offM = Number(m[11] ?? 0);
  if (offH > 14 || offM > 59 || (offH === 14 && offM > 0)) return null;
  const sign = m[9] === '-' ? -1 : 1;
  const frac = m[7] ? Number(`0${m[7]}`) * 1000 : 0;
  const ms = Date.UTC(y, mo - 1, d, h, mi, sec) + frac - sign * (offH * 60 + offM) * 60_000;
  return { text: s, ms, dateOnly: false };
}

/** True when `s` is an instant parseInstant accepts. */
export const isInstant = (s: string): boolean => parseInstant(s) !== null;

/** Milliseconds since the epoch of an instant parseInstant accepts, else NaN. */
export const instantMs = (s: string): number => parseInstant(s)?.ms ?? Number.NaN;

export const INSTANT_MESSAGE = `expected an ISO 8601 date or date-time in ${MIN_YEAR}–${MAX_YEAR}, e.g. 2026-03-21 or 2026-03-21T10:00:00+05:00`;
