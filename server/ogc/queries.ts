import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Catalog } from '../catalog.ts';
import { PUBLIC_INCIDENT_COLUMNS, PUBLIC_INCIDENT_JOINS, type PublicIncidentRow } from '../exports/public-incident.ts';
import { countPublicIncidents, publicIncidentPage, type RowKey } from '../exports/rows.ts';
import { badRequest } from '../errors.ts';
import { isInstant } from '../instants.ts';
import { readChangeCounter } from '../tiles/cache.ts';
import { incidentConditions, type IncidentFilter, Where } from '../incidents/filters.ts';
import type { Cql2Node } from './cql2.ts';
import { addCql2 } from './cql2-sql.ts';
import { FEATURE_TEXT_COLUMNS, featureText, type FeatureTextRow, maybePrepared } from './feature-text.ts';
import type { Bbox, DatetimeFilter } from './params.ts';
import { orderBySql, type SortKey } from './sortby.ts';

/**
 * Adds "intersects the bbox" (edges included); a box across the antimeridian becomes two.
 * ST_Intersects rather than `&&` alone: `&&` compares float4 boxes rounded outwards, so it
 * lets in points a few centimetres outside.
 */
export function addBbox(w: Where, column: string, [minX, minY, maxX, maxY]: Bbox): void {
  const env = (a: number, b: number, c: number, d: number) =>
    `ST_MakeEnvelope(${w.param(a)}, ${w.param(b)}, ${w.param(c)}, ${w.param(d)}, 4326)`;
  if (minX <= maxX) w.add(`ST_Intersects(${column}, ${env(minX, minY, maxX, maxY)})`);
  else w.add(`(ST_Intersects(${column}, ${env(minX, minY, 180, maxY)}) OR ST_Intersects(${column}, ${env(-180, minY, maxX, maxY)}))`);
}

/**
 * Adds the `datetime` filter on `column`: an instant matches equal times, a date the whole day
 * (in the session's time zone, the city's), an interval its inclusive ends.
 */
export function addDatetime(w: Where, column: string, f: DatetimeFilter): void {
  const { start, end } = f;
  if (f.instant && start && !start.dateOnly) {
    w.add(`${column} = ${w.param(start.value)}::timestamptz`);
    return;
  }
  if (start) w.add(`${column} >= ${w.param(start.value)}::${start.dateOnly ? 'date::timestamptz' : 'timestamptz'}`);
  if (end) {
    if (end.dateOnly) w.add(`${column} < (${w.param(end.value)}::date + 1)::timestamptz`);
    else w.add(`${column} <= ${w.param(end.value)}::timestamptz`);
  }
}

export interface IncidentItemsQuery {
  filter: IncidentFilter;
  bbox?: Bbox;
  datetime?: DatetimeFilter;
  /** A CQL2 filter (`filter=`), on the queryables only. */
  cql?: Cql2Node;
  limit: number;
  cursor?: string;
}

/** The conditions of an items request on `incidents i`. */
function incidentWhere(catalog: Catalog, q: Omit<IncidentItemsQuery, 'limit' | 'cursor'>): Where {
  const w = incidentConditions(q.filter, catalog);
  if (q.bbox) addBbox(w, 'i.geom', q.bbox);
  if (q.datetime) addDatetime(w, 'i.created_at', q.datetime);
  if (q.cql) addCql2(w, 'incidents', q.cql);
  return w;
}

/** Opaque page cursors: the edge row's key and which way to read from it. */
export function encodePageCursor(dir: 'after' | 'before', key: RowKey): string {
  return Buffer.from(JSON.stringify([dir === 'after' ? 'a' : 'b', key.at, key.id])).toString('base64url');
}

export function decodePageCursor(cursor: string): { after?: RowKey; before?: RowKey } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 3 &&
      (v[0] === 'a' || v[0] === 'b') &&
      typeof v[1] === 'string' &&
      isInstant(v[1]) &&
      Number.isSafeInteger(v[2])
    ) {
      const key = { at: v[1], id: v[2] };
      return v[0] === 'a' ? { after: key } : { before: key };
    }
  } catch {
    // fall through
  }
  throw badRequest('Invalid cursor: follow the `next` and `prev` links unchanged.', [
    { path: 'cursor', message: 'not a cursor of this API' },
  ]);
}

const COUNT_MAX_AGE_MS = 10_000;
/**
 * Beyond this many matches numberMatched is left out (OGC API – Features makes it optional):
 * counting all of ten million appeals would take a second; clients page on by the next link.
 */
export const COUNT_UP_TO = 100_000;
const COUNT_ENTRIES = 500;
const counts = new WeakMap<pg.Pool, Map<string, { version: string; at: number; n: number | undefined }>>();

/**
 * numberMatched without counting again on every page: a client copying the collection page by
 * page (GDAL asks 10 at a time) would otherwise count the whole selection thousands of times.
 * A count is reused while the incident change counter (migration 004) has not moved, for at
 * most ten seconds.
 */
async function cachedCount(pool: pg.Pool, w: Where, knownVersion?: string): Promise<number | undefined> {
  // Keyed by a digest: a CQL2 filter can carry a polygon of kilobytes, and the entries must stay
  // the same few bytes each for COUNT_ENTRIES to bound the cache's memory.
  const key = createHash('sha256')
    .update(`${w}|${JSON.stringify(w.values)}`)
    .digest('base64url');
  let byKey = counts.get(pool);
  if (!byKey) counts.set(pool, (byKey = new Map()));
  const version = knownVersion ?? (await readChangeCounter(pool));
  const hit = byKey.get(key);
  if (hit && hit.version === version && Date.now() - hit.at < COUNT_MAX_AGE_MS) return hit.n;
  const counted = await countPublicIncidents(pool, w, COUNT_UP_TO);
  const n = counted > COUNT_UP_TO ? undefined : counted;
  byKey.delete(key);
  byKey.set(key, { version, at: Date.now(), n });
  if (byKey.size > COUNT_ENTRIES) byKey.delete(byKey.keys().next().value!);
  return n;
}

/** A page of public incidents, newest first, with the count of all matches and cursors both ways. */
export async function incidentItems(pool: pg.Pool, catalog: Catalog, q: IncidentItemsQuery) {
  const w = incidentWhere(catalog, q);
  const from = q.cursor ? decodePageCursor(q.cursor) : undefined;
  const [page, numberMatched] = await Promise.all([publicIncidentPage(pool, w, q.limit, from), cachedCount(pool, w)]);
  // Read forwards: more rows follow if `more`; rows precede if we started after a key.
  // Read backwards: the reverse.
  const hasNext = from?.before ? true : page.more;
  const hasPrev = from?.before ? page.more : Boolean(from?.after);
  return {
    rows: page.rows,
    numberMatched,
    next: hasNext && page.last ? encodePageCursor('after', page.last) : null,
    prev: hasPrev && page.first ? encodePageCursor('before', page.first) : null,
  };
}

const KEY_COLUMN = `to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS row_key`;
const CHANGE_COUNTER = `(SELECT last_value::text || ':' || is_called::text FROM incident_changes_seq) AS version`;

/**
 * incidentItems() as GeoJSON text (feature-text.ts): the same page, count and cursors, in one
 * prepared statement that also reads the change counter numberMatched's cache is keyed on (a
 * second round trip and connection before). The count runs only when that cache is stale.
 */
export async function incidentItemsText(pool: pg.Pool, catalog: Catalog, q: IncidentItemsQuery) {
  const w = incidentWhere(catalog, q);
  const from = q.cursor ? decodePageCursor(q.cursor) : undefined;
  const pageWhere = new Where([...w.values]);
  pageWhere.conditions.push(...w.conditions);
  const backwards = Boolean(from?.before);
  const key = from?.after ?? from?.before;
  if (key) {
    pageWhere.add(
      `(i.created_at, i.id) ${backwards ? '>' : '<'} (${pageWhere.param(key.at)}::timestamptz, ${pageWhere.param(key.id)}::bigint)`,
    );
  }
  const dir = backwards ? 'ASC' : 'DESC';
  const text = `SELECT ${FEATURE_TEXT_COLUMNS}, ${KEY_COLUMN}, ${CHANGE_COUNTER}
       FROM incidents i ${PUBLIC_INCIDENT_JOINS}
       ${pageWhere}
      ORDER BY i.created_at ${dir}, i.id ${dir}
      LIMIT ${pageWhere.param(q.limit + 1)}`;
  // Not prepared with a bbox, datetime or CQL2 filter: the generic plan a prepared statement turns
  // to after five runs cannot estimate a box's or an interval's selectivity, and may read far more.
  const prepare = !q.cql && !q.bbox && !q.datetime;
  const { rows } = await pool.query<FeatureTextRow & { row_key: string; version: string }>(
    maybePrepared(pool, text, pageWhere.values, prepare),
  );
  const numberMatched = await cachedCount(pool, w, rows[0]?.version);
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  if (backwards) page.reverse();
  const first = page[0];
  const last = page.at(-1);
  const hasNext = backwards ? true : more;
  const hasPrev = backwards ? more : Boolean(from?.after);
  return {
    features: page.map(featureText),
    numberMatched,
    next: hasNext && last ? encodePageCursor('after', { at: last.row_key, id: last.id }) : null,
    prev: hasPrev && first ? encodePageCursor('before', { at: first.row_key, id: first.id }) : null,
  };
}

/** incidentItem() as GeoJSON text (without its links), or null. */
export async function incidentItemText(pool: pg.Pool, featureId: string): Promise<string | null> {
  const byId = /^\d{1,15}$/.test(featureId);
  const text = `SELECT ${FEATURE_TEXT_COLUMNS} FROM incidents i ${PUBLIC_INCIDENT_JOINS} WHERE ${byId ? 'i.id = $1::bigint' : 'i.number = $1'}`;
  const { rows } = await pool.query<FeatureTextRow>(maybePrepared(pool, text, [featureId], true));
  return rows[0] ? featureText(rows[0]) : null;
}

/** The largest `offset` taken on the incidents (OFFSET reads and skips every row before it). */
export const MAX_OFFSET = 100_000;

/**
 * A page of public incidents at an offset, newest first: for clients that page by `offset`
 * (OWSLib, ogc-client). `next` is the key of the page's last row when more follow, so that a
 * client past MAX_OFFSET can go on by cursor (null with `sortby`: that order has no cursor).
 */
export async function incidentItemsAt(
  pool: pg.Pool,
  catalog: Catalog,
  q: Omit<IncidentItemsQuery, 'cursor'> & { offset: number; sortby?: SortKey[] },
) {
  const w = incidentWhere(catalog, q);
  const count = cachedCount(pool, w);
  // A sort the (created_at, id) index cannot serve reads every match: at most COUNT_UP_TO of them.
  const indexed = !q.sortby || (q.sortby.length === 1 && q.sortby[0].name === 'created_at');
  if (!indexed && (await count) === undefined) {
    throw badRequest(`sortby sorts at most ${COUNT_UP_TO} matching features: narrow them with a filter, bbox or datetime.`, [
      { path: 'sortby', message: 'too many matches to sort' },
    ]);
  }
  // The page's own parameters go to a copy: the count above reads `w` as it is.
  const pageWhere = new Where([...w.values]);
  pageWhere.conditions.push(...w.conditions);
  const { rows } = await pool.query<PublicIncidentRow & { row_key: string }>(
    `SELECT ${PUBLIC_INCIDENT_COLUMNS},
            to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS row_key
       FROM incidents i ${PUBLIC_INCIDENT_JOINS}
       ${pageWhere}
      ORDER BY ${q.sortby ? orderBySql(q.sortby, 'incidents') : 'i.created_at DESC, i.id DESC'}
      LIMIT ${pageWhere.param(q.limit + 1)} OFFSET ${pageWhere.param(q.offset)}`,
    pageWhere.values,
  );
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    rows: page.map(({ row_key: _, ...r }) => r as PublicIncidentRow),
    numberMatched: await count,
    more: rows.length > q.limit,
    next: rows.length > q.limit && last && !q.sortby ? encodePageCursor('after', { at: last.row_key, id: last.id }) : null,
  };
}

/** One public incident by id, or by its public number. */
export async function incidentItem(pool: pg.Pool, featureId: string): Promise<PublicIncidentRow | null> {
  const byId = /^\d{1,15}$/.test(featureId);
  const { rows } = await pool.query<PublicIncidentRow>(
    `SELECT ${PUBLIC_INCIDENT_COLUMNS} FROM incidents i ${PUBLIC_INCIDENT_JOINS} WHERE ${byId ? 'i.id = $1::bigint' : 'i.number = $1'}`,
    [featureId],
  );
  return rows[0] ?? null;
}

/** Extents of the incidents collection: the bounding box of the points and the first registration. */
export async function incidentExtent(pool: pg.Pool) {
  // The planner's estimate is instant on any size; an empty or unanalysed table falls back
  // to the exact extent. The city's districts are added: appeals lie in the city.
  const { rows } = await pool.query<{ x0: number | null; y0: number; x1: number; y1: number; t0: Date | null }>(
    `WITH est AS (
       SELECT CASE WHEN EXISTS (SELECT 1 FROM incidents)
                   THEN coalesce((SELECT ST_EstimatedExtent('public', 'incidents', 'geom')::geometry), (SELECT ST_Extent(geom)::geometry FROM incidents))
              END AS e
     ), box AS (
       SELECT ST_Extent(g) AS b FROM (SELECT e AS g FROM est UNION ALL SELECT geom FROM districts) u
     )
     SELECT ST_XMin(b) x0, ST_YMin(b) y0, ST_XMax(b) x1, ST_YMax(b) y1,
            (SELECT min(created_at) FROM incidents) AS t0
       FROM box`,
  );
  const r = rows[0];
  return {
    bbox: r?.x0 != null ? ([r.x0, r.y0, r.x1, r.y1] as Bbox) : null,
    start: r?.t0 ?? null,
  };
}

export interface DistrictRow {
  id: number;
  code: string;
  name_kk: string;
  name_ru: string;
  name_en: string;
  population: number | null;
  approximate: boolean;
  geometry: unknown;
}

const DISTRICT_COLUMNS = `d.id, d.code, d.name_kk, d.name_ru, d.name_en, d.population, d.approximate, ST_AsGeoJSON(d.geom, 7)::json AS geometry`;

/** Districts in code order (or `sortby`'s); `offset` pages (a city has a handful). */
export async function districtItems(pool: pg.Pool, q: { bbox?: Bbox; cql?: Cql2Node; sortby?: SortKey[]; limit: number; offset: number }) {
  const w = new Where();
  if (q.bbox) addBbox(w, 'd.geom', q.bbox);
  if (q.cql) addCql2(w, 'districts', q.cql);
  const order = q.sortby ? orderBySql(q.sortby, 'districts') : 'd.code';
  const [page, count] = await Promise.all([
    pool.query<DistrictRow>(
      `SELECT ${DISTRICT_COLUMNS} FROM districts d ${w} ORDER BY ${order} LIMIT ${w.param(q.limit)} OFFSET ${w.param(q.offset)}`,
      w.values,
    ),
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM districts d ${w}`, w.values.slice(0, w.values.length - 2)),
  ]);
  return { rows: page.rows, numberMatched: count.rows[0].n };
}

export async function districtItem(pool: pg.Pool, featureId: string): Promise<DistrictRow | null> {
  const byId = /^\d{1,9}$/.test(featureId);
  const { rows } = await pool.query<DistrictRow>(
    `SELECT ${DISTRICT_COLUMNS} FROM districts d WHERE ${byId ? 'd.id = $1::int' : 'd.code = $1'}`,
    [featureId],
  );
  return rows[0] ?? null;
}

export async function districtExtent(pool: pg.Pool) {
  const { rows } = await pool.query<{ x0: number | null; y0: number; x1: number; y1: number }>(
    `SELECT ST_XMin(b) x0, ST_YMin(b) y0, ST_XMax(b) x1, ST_YMax(b) y1 FROM (SELECT ST_Extent(geom) AS b FROM districts) t`,
  );
  const r = rows[0];
  return { bbox: r?.x0 != null ? ([r.x0, r.y0, r.x1, r.y1] as Bbox) : null };
}

export function districtFeature(r: DistrictRow) {
  const { geometry, id, ...props } = r;
  return { type: 'Feature' as const, id, geometry, properties: props };
}
