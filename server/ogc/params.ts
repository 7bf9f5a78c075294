import { z } from 'zod';
import { isCalendarDate } from '../instants.ts';

/**
 * Query parameters of OGC API – Features Part 1 (`bbox`, `datetime`, `limit`) as pure parsers,
 * so that their edge cases are tested without a server.
 */

/** Page size when a client does not ask (the standard's example uses 10; GDAL asks itself). */
export const DEFAULT_LIMIT = 100;
/** Largest page; a larger `limit` is lowered to this, as the standard asks, not refused. */
export const MAX_LIMIT = 10_000;

export const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
export const CRS84H = 'http://www.opengis.net/def/crs/OGC/0/CRS84h';

/** `[minLng, minLat, maxLng, maxLat]`; minLng > maxLng means the box crosses the antimeridian. */
export type Bbox = [number, number, number, number];

export const limitParam = z
  .string()
  .regex(/^\d{1,9}$/, 'expected a positive integer')
  .transform(Number)
  .refine((n) => n >= 1, 'must be at least 1')
  .transform((n) => Math.min(n, MAX_LIMIT));

/** `minLng,minLat,maxLng,maxLat` or the 3D form `minLng,minLat,minZ,maxLng,maxLat,maxZ` (heights ignored). */
export const bboxParam = z.string().transform((s, ctx): Bbox => {
  const n = s.split(',').map((x) => (x.trim() === '' ? NaN : Number(x)));
  if ((n.length !== 4 && n.length !== 6) || n.some((x) => !Number.isFinite(x))) {
    ctx.addIssue({ code: 'custom', message: 'expected 4 numbers (minLng,minLat,maxLng,maxLat) or 6 with heights' });
    return z.NEVER;
  }
  const [minX, minY, maxX, maxY] = n.length === 4 ? n : [n[0], n[1], n[3], n[4]];
  if (minY > maxY || minY < -90 || maxY > 90 || minX < -180 || minX > 180 || maxX < -180 || maxX > 180) {
    ctx.addIssue({ code: 'custom', message: 'longitudes must lie in -180..180, latitudes in -90..90 with min ≤ max' });
    return z.NEVER;
  }
  return [minX, minY, maxX, maxY];
});

/** An end of a `datetime` interval; a date without a time means the whole day in the city's time zone. */
export interface DatetimeBound {
  value: string;
  dateOnly: boolean;
}

/** The parsed `datetime`: an instant (start = end) or an interval; a missing end is open. */
export interface DatetimeFilter {
  start?: DatetimeBound;
  end?: DatetimeBound;
  instant: boolean;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 date-time; the offset may be left out (then the city's local time is meant).
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})?$/;

/** A real calendar day in the years every engine takes (server/instants.ts). */
const realDate = (y: string, m: string, d: string): boolean => isCalendarDate(+y, +m, +d);

/** One instant of `datetime`, or null when it is not RFC 3339. */
export function parseInstant(s: string): DatetimeBound | null {
  const d = DATE.exec(s);
  if (d) return realDate(d[1], d[2], d[3]) ? { value: s, dateOnly: true } : null;
  const t = DATE_TIME.exec(s);
  if (!t || !realDate(t[1], t[2], t[3]) || +t[4] > 23 || +t[5] > 59 || +t[6] > 60) return null;
  if (t[8] && t[8].length > 1 && (+t[8].slice(1, 3) > 14 || +t[8].slice(4) > 59)) return null;
  // PostgreSQL keeps microseconds: longer fractions are cut rather than rounded.
  const frac = t[7] ? t[7].slice(0, 7) : '';
  return { value: `${t[1]}-${t[2]}-${t[3]}T${t[4]}:${t[5]}:${t[6]}${frac}${(t[8] ?? '').toUpperCase()}`, dateOnly: false };
}

/**
 * `datetime` as the standard writes it: an instant (`2026-01-01T10:00:00Z`, `2026-01-01`), a
 * closed interval (`start/end`) or a half-open one (`../end`, `start/..`, `/end`, `start/`).
 * Returns null when it is none of these or when the start is after the end.
 */
export function parseDatetime(s: string): DatetimeFilter | null {
  const parts = s.trim().split('/');
  if (parts.length === 1) {
    const at = parseInstant(parts[0]);
    return at ? { start: at, end: at, instant: true } : null;
  }
  if (parts.length !== 2) return null;
  const open = (p: string) => p === '' || p === '..';
  const start = open(parts[0]) ? undefined : parseInstant(parts[0]);
  const end = open(parts[1]) ? undefined : parseInstant(parts[1]);
  if (start === null || end === null) return null;
  if (start && end) {
    // Compare the earliest moment of each; a date-only end covers its whole day.
    const a = Date.parse(start.dateOnly ? `${start.value}T00:00:00Z` : start.value);
    const b = Date.parse(end.dateOnly ? `${end.value}T23:59:59.999Z` : end.value);
    if (!(a <= b + 14 * 3_600_000)) return null; // offsets differ by at most 14 h
  }
  return { start, end, instant: false };
}

export const datetimeParam = z.string().transform((s, ctx) => {
  const f = parseDatetime(s);
  if (!f) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected an RFC 3339 instant or interval, e.g. 2026-01-01T00:00:00Z, 2026-01-01/2026-01-31, ../2026-01-01 or 2026-01-01/..',
    });
    return z.NEVER;
  }
  return f;
});

/** The output format asked with `f`: `json` (GeoJSON for features) or `html`. */
export const formatParam = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(['json', 'geojson', 'html']))
  .transform((f) => (f === 'geojson' ? 'json' : f));

export type Format = 'json' | 'html';

/**
 * Content negotiation: `f` wins; else the Accept header, where HTML wins only when a browser
 * prefers it to JSON (GDAL and scripts ask for JSON or for anything).
 */
export function negotiate(f: Format | undefined, accept: string | undefined): Format {
  if (f) return f;
  if (!accept) return 'json';
  let html = 0;
  let json = 0;
  for (const part of accept.toLowerCase().split(',')) {
    const [type, ...params] = part.trim().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (type === 'text/html') html = Math.max(html, q);
    if (type === 'application/json' || type === 'application/geo+json' || type.endsWith('+json')) json = Math.max(json, q);
  }
  return html > json ? 'html' : 'json';
}

/**
 * A parameter given twice with the same value counts once: GDAL appends the query of the
 * dataset URL (`OAPIF:https://host/ogc?datetime=...`) to every request, next links included.
 */
export const collapseRepeats = (v: unknown) => (Array.isArray(v) && v.length > 0 && v.every((x) => x === v[0]) ? v[0] : v);

const once = <T extends z.ZodType>(schema: T) => z.preprocess(collapseRepeats, schema);

/** `filter-lang`: CQL2 text only (the default); CQL2 JSON is not taken. */
const filterLangParam = z.enum(['cql2-text'], { error: 'only cql2-text is supported (the default)' });
/** `filter-crs`: coordinates in a filter are longitude, latitude (CRS84), the default. */
const filterCrsParam = z.enum([CRS84], { error: `only ${CRS84} is supported (the default)` });

/** The items query, parameters other than these (unknown ones, as GDAL sends) are ignored. */
export const ItemsQuerySchema = z.object({
  filter: once(z.string()).optional(),
  'filter-lang': once(filterLangParam).optional(),
  'filter-crs': once(filterCrsParam).optional(),
  sortby: once(z.string().max(200)).optional(),
  bbox: once(bboxParam).optional(),
  'bbox-crs': once(z.enum([CRS84, CRS84H])).optional(),
  datetime: once(datetimeParam).optional(),
  limit: once(limitParam).optional(),
  cursor: once(z.string().max(200)).optional(),
  f: once(formatParam).optional(),
});
