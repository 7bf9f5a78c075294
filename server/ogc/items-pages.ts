/** The items and single items of /ogc's collections, as GeoJSON or HTML (server/ogc/routes.ts mounts them). */
import type { Context } from 'hono';
import type pg from 'pg';
import { z } from 'zod';
import { getCatalog } from '../catalog.ts';
import { badRequest, notFound, validationError } from '../errors.ts';
import { CSV_FIELDS, publicFeature } from '../exports/public-incident.ts';
import { IncidentFilterSchema } from '../incidents/filters.ts';
import { publicText } from '../privacy/visibility.ts';
import { COLLECTIONS, GEOJSON, HTML, isCollectionId, JSON_TYPE } from './collections.ts';
import { parseCql2 } from './cql2.ts';
import { esc, featureTable, type Link, page, when } from './html.ts';
import { baseOf, fmt, sendHtml, sendJson, type Site, withParams } from './page-kit.ts';
import { sendText } from '../gzip-body.ts';
import { collapseRepeats, DEFAULT_LIMIT, type Format, ItemsQuerySchema } from './params.ts';
import {
  COUNT_UP_TO,
  districtFeature,
  districtItem,
  districtItems,
  incidentItem,
  incidentItems,
  incidentItemsAt,
  incidentItemsText,
  incidentItemText,
  MAX_OFFSET,
} from './queries.ts';
import { parseSortby } from './sortby.ts';

export type ItemsQuery = z.infer<typeof ItemsQuerySchema>;

/** The columns of an appeal in the HTML table: the export's, without those a person browsing skips. */
const HTML_INCIDENT_FIELDS = CSV_FIELDS.filter(
  (f) => !['sphere', 'channel', 'resolved_at', 'closed_at', 'lng', 'lat', 'description'].includes(f),
);

const OffsetParam = z.coerce.number().int().min(0).max(1_000_000).default(0);

/** Parameters of the items request that are not incident filters. */
const ITEMS_KEYS = new Set(['bbox', 'bbox-crs', 'datetime', 'limit', 'cursor', 'f', 'offset']);

/** Incident filters given as extra query parameters (status, type, category, ...); unknown keys are ignored. */
function incidentFilterFrom(c: Context) {
  const raw = c.req.queries();
  const rest: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(raw)) if (!ITEMS_KEYS.has(k)) rest[k] = collapseRepeats(v) as string | string[];
  const parsed = IncidentFilterSchema.safeParse(rest);
  if (!parsed.success) throw validationError(parsed.error, 'query parameter');
  // bbox, from and to have their OGC forms here (bbox, datetime); the filter's own are not used.
  const { bbox: _b, ...filter } = parsed.data;
  return filter;
}

const IncidentOffsetParam = z
  .string()
  .regex(/^\d{1,9}$/, 'expected a whole number from 0')
  .transform(Number)
  .refine((n) => n <= MAX_OFFSET, `at most ${MAX_OFFSET}; follow the next links (they page by cursor) to go further`);

/** `offset` on the incidents, or undefined for paging by cursor (the two do not mix). */
function incidentOffset(c: Context, q: ItemsQuery): number | undefined {
  const raw = collapseRepeats(c.req.queries('offset'));
  if (raw === undefined) return undefined;
  const parsed = IncidentOffsetParam.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error, 'query parameter offset');
  if (q.cursor !== undefined) throw badRequest('Give offset or cursor, not both.', [{ path: 'offset', message: 'not with cursor' }]);
  return parsed.data;
}

/** `sortby` pages by offset (its order has no cursor): a cursor with it is refused. */
function sortedOffset(c: Context, q: ItemsQuery): number {
  if (q.cursor !== undefined) throw badRequest('Give sortby with offset, not cursor.', [{ path: 'cursor', message: 'not with sortby' }]);
  return incidentOffset(c, q) ?? 0;
}

/** The links of an items page: self, alternate, next and prev when there are such pages, the collection. */
function pageLinks(
  c: Context,
  site: Site,
  id: string,
  format: Format,
  next: Record<string, string | undefined> | null,
  prev: Record<string, string | undefined> | null,
): Link[] {
  const base = baseOf(c, site);
  return [
    { href: withParams(c, site, { f: 'json' }), rel: 'self', type: GEOJSON, title: 'This page' },
    { href: withParams(c, site, { f: 'html' }), rel: 'alternate', type: HTML, title: 'This page as HTML' },
    ...(next
      ? [
          {
            href: withParams(c, site, { ...next, f: format === 'html' ? 'html' : 'json' }),
            rel: 'next',
            type: format === 'html' ? HTML : GEOJSON,
            title: 'Next page',
          },
        ]
      : []),
    ...(prev
      ? [
          {
            href: withParams(c, site, { ...prev, f: format === 'html' ? 'html' : 'json' }),
            rel: 'prev',
            type: format === 'html' ? HTML : GEOJSON,
            title: 'Previous page',
          },
        ]
      : []),
    { href: `${base}/collections/${id}`, rel: 'collection', type: JSON_TYPE, title: 'The collection' },
  ];
}

/** A page of a collection's items (appeals by cursor, districts by offset) with next/prev links. */
export async function itemsPage(c: Context, site: Site, pool: pg.Pool, q: ItemsQuery) {
  const id = c.req.param('collectionId') ?? '';
  if (!isCollectionId(id)) throw notFound('Collection');
  const limit = q.limit ?? DEFAULT_LIMIT;
  const base = baseOf(c, site);
  const cql = q.filter === undefined ? undefined : parseCql2(q.filter);
  const sortby = q.sortby === undefined ? undefined : parseSortby(q.sortby, id);
  let features: { id: unknown; geometry: any; properties: Record<string, unknown> }[];
  let numberMatched: number | undefined;
  let next: Record<string, string | undefined> | null = null;
  let prev: Record<string, string | undefined> | null = null;
  if (id === 'incidents') {
    const filter = incidentFilterFrom(c);
    const offset = sortby ? sortedOffset(c, q) : incidentOffset(c, q);
    const query = { filter, bbox: q.bbox, datetime: q.datetime, cql, limit };
    if (offset === undefined && fmt(c, q.f) !== 'html') return itemsText(c, site, pool, { ...query, cursor: q.cursor });
    if (offset === undefined) {
      const page = await incidentItems(pool, await getCatalog(pool), { ...query, cursor: q.cursor });
      features = page.rows.map((r) => publicFeature(publicText(r)));
      numberMatched = page.numberMatched;
      if (page.next) next = { cursor: page.next };
      if (page.prev) prev = { cursor: page.prev };
    } else {
      // Paging by offset, as OWSLib and ogc-client do; past MAX_OFFSET the next link turns to a cursor.
      const page = await incidentItemsAt(pool, await getCatalog(pool), { ...query, offset, sortby });
      features = page.rows.map((r) => publicFeature(publicText(r)));
      numberMatched = page.numberMatched;
      if (page.more && offset + limit <= MAX_OFFSET) next = { offset: String(offset + limit) };
      else if (page.next) next = { offset: undefined, cursor: page.next };
      if (offset > 0) prev = { offset: String(Math.max(0, offset - limit)) };
    }
  } else {
    const offsetRaw = c.req.query('offset');
    const parsed = OffsetParam.safeParse(offsetRaw);
    if (!parsed.success) throw validationError(parsed.error, 'query parameter offset');
    const offset = parsed.data;
    const page = await districtItems(pool, { bbox: q.bbox, cql, sortby, limit, offset });
    features = page.rows.map(districtFeature);
    numberMatched = page.numberMatched;
    if (offset + features.length < (numberMatched ?? 0)) next = { offset: String(offset + limit) };
    if (offset > 0) prev = { offset: String(Math.max(0, offset - limit)) };
  }
  const format = fmt(c, q.f);
  const links = pageLinks(c, site, id, format, next, prev);
  if (format === 'html') {
    const columns = id === 'incidents' ? HTML_INCIDENT_FIELDS : ['code', 'name_kk', 'name_ru', 'name_en', 'population'];
    const nav = `<nav class="pages">${links
      .filter((l) => l.rel === 'prev' || l.rel === 'next')
      .map((l) => `<a href="${esc(l.href)}">${esc(l.title)}</a>`)
      .join('')}</nav>`;
    const body = `<p>${features.length} of ${numberMatched ?? `more than ${COUNT_UP_TO.toLocaleString('en')}`} features.</p>${nav}${featureTable(features, [...columns], (fid) => `${base}/collections/${id}/items/${fid}?f=html`)}${nav}`;
    return sendHtml(
      c,
      page(
        COLLECTIONS[id].title,
        [
          { href: `${base}?f=html`, text: 'Jardem OGC API' },
          { href: `${base}/collections?f=html`, text: 'Collections' },
          { href: `${base}/collections/${id}?f=html`, text: id },
        ],
        body,
        withParams(c, site, { f: 'json' }),
      ),
    );
  }
  c.header('Cache-Control', 'no-cache');
  return sendJson(
    c,
    { type: 'FeatureCollection', timeStamp: new Date().toISOString(), numberMatched, numberReturned: features.length, links, features },
    GEOJSON,
  );
}

/**
 * The JSON page of appeals by cursor, the common case (every `next` link leads here): features
 * as PostgreSQL wrote them (feature-text.ts), joined into the document without parsing them.
 */
async function itemsText(c: Context, site: Site, pool: pg.Pool, query: Parameters<typeof incidentItemsText>[2]) {
  const page = await incidentItemsText(pool, await getCatalog(pool), query);
  const links = pageLinks(c, site, 'incidents', 'json', page.next ? { cursor: page.next } : null, page.prev ? { cursor: page.prev } : null);
  // The document as sendJson would write it, keys in the same order (numberMatched left out when unknown).
  const head = JSON.stringify({
    type: 'FeatureCollection',
    timeStamp: new Date().toISOString(),
    numberMatched: page.numberMatched,
    numberReturned: page.features.length,
    links,
  });
  c.header('Cache-Control', 'no-cache');
  return sendText(c, `${head.slice(0, -1)},"features":[${page.features.join(',')}]}`, GEOJSON);
}

/** One item of a collection. */
export async function itemPage(c: Context, site: Site, pool: pg.Pool, f: Format | undefined) {
  const id = c.req.param('collectionId') ?? '';
  if (!isCollectionId(id)) throw notFound('Collection');
  const featureId = c.req.param('featureId') ?? '';
  const base = baseOf(c, site);
  if (id === 'incidents' && fmt(c, f) !== 'html') {
    // As PostgreSQL wrote it (feature-text.ts), its links added.
    const text = await incidentItemText(pool, featureId);
    if (!text) throw notFound('Feature');
    const href = `${base}/collections/${id}/items/${encodeURIComponent(featureId)}`;
    const links: Link[] = [
      { href: `${href}?f=json`, rel: 'self', type: GEOJSON, title: 'This feature' },
      { href: `${href}?f=html`, rel: 'alternate', type: HTML, title: 'This feature as HTML' },
      { href: `${base}/collections/${id}`, rel: 'collection', type: JSON_TYPE, title: 'The collection' },
    ];
    return sendText(c, `${text.slice(0, -1)},"links":${JSON.stringify(links)}}`, GEOJSON);
  }
  const feature =
    id === 'incidents'
      ? await incidentItem(pool, featureId).then((r) => (r ? publicFeature(publicText(r)) : null))
      : await districtItem(pool, featureId).then((r) => (r ? districtFeature(r) : null));
  if (!feature) throw notFound('Feature');
  const href = `${base}/collections/${id}/items/${encodeURIComponent(featureId)}`;
  const links: Link[] = [
    { href: `${href}?f=json`, rel: 'self', type: GEOJSON, title: 'This feature' },
    { href: `${href}?f=html`, rel: 'alternate', type: HTML, title: 'This feature as HTML' },
    { href: `${base}/collections/${id}`, rel: 'collection', type: JSON_TYPE, title: 'The collection' },
  ];
  if (fmt(c, f) === 'html') {
    const rows = Object.entries(feature.properties)
      .map(([k, v]) => `<tr><th>${esc(k)}</th><td class="t">${esc(k.endsWith('_at') ? when(v) : v)}</td></tr>`)
      .join('');
    const position =
      feature.geometry && (feature.geometry as any).type === 'Point'
        ? `<p>Position: ${(feature.geometry as any).coordinates.join(', ')} (lng, lat)</p>`
        : '';
    return sendHtml(
      c,
      page(
        `${id === 'incidents' ? 'Appeal' : 'District'} ${String((feature.properties as any).number ?? (feature.properties as any).code)}`,
        [
          { href: `${base}?f=html`, text: 'Jardem OGC API' },
          { href: `${base}/collections/${id}/items?f=html`, text: id },
        ],
        `<table>${rows}</table>${position}`,
        `${href}?f=json`,
      ),
    );
  }
  return sendJson(c, { ...feature, links }, GEOJSON);
}
