import { type Context, Hono } from 'hono';
import type pg from 'pg';
import { compress } from 'hono/compress';
import { cors } from 'hono/cors';
import { getCatalog } from '../catalog.ts';
import type { AppEnv, Deps } from '../context.ts';
import { badRequest, notFound, validationError } from '../errors.ts';
import { CSV_FIELDS, publicFeature } from '../exports/public-incident.ts';
import { publicText } from '../privacy/visibility.ts';
import { IncidentFilterSchema } from '../incidents/filters.ts';
import { docsPage } from '../openapi/docs-page.ts';
import { publicBase, publicRequestUrl } from '../public-url.ts';
import { validQuery } from '../validate.ts';
import { ogcApiDocument, OPENAPI_30_JSON } from './api-document.ts';
import { parseCql2 } from './cql2.ts';
import { queryablesDocument, SCHEMA_JSON } from './queryables.ts';
import { parseSortby } from './sortby.ts';
import {
  COLLECTIONS,
  collectionDocument,
  collectionExtents,
  CONFORMANCE,
  GEOJSON,
  HTML,
  isCollectionId,
  JSON_TYPE,
} from './collections.ts';
import { esc, featureTable, type Link, linkList, page, when } from './html.ts';
import { collapseRepeats, DEFAULT_LIMIT, type Format, formatParam, ItemsQuerySchema, negotiate } from './params.ts';
import {
  COUNT_UP_TO,
  districtFeature,
  districtItem,
  districtItems,
  incidentItem,
  incidentItems,
  incidentItemsAt,
  MAX_OFFSET,
} from './queries.ts';
import { z } from 'zod';

type ItemsQuery = z.infer<typeof ItemsQuerySchema>;

/** The columns of an appeal in the HTML table: the export's, without those a person browsing skips. */
const HTML_INCIDENT_FIELDS = CSV_FIELDS.filter(
  (f) => !['sphere', 'channel', 'resolved_at', 'closed_at', 'lng', 'lat', 'description'].includes(f),
);

const FormatQuery = z.object({ f: z.preprocess(collapseRepeats, formatParam).optional() });

/** `f` of a request no route's validator has read. */
function formatOf(c: Context): Format | undefined {
  const parsed = FormatQuery.safeParse({ f: c.req.queries('f') });
  if (!parsed.success) throw validationError(parsed.error, 'query parameter');
  return parsed.data.f;
}
const OffsetParam = z.coerce.number().int().min(0).max(1_000_000).default(0);

/** Parameters of the items request that are not incident filters. */
const ITEMS_KEYS = new Set(['bbox', 'bbox-crs', 'datetime', 'limit', 'cursor', 'f', 'offset']);

/** What the links need to know: JARDEM_PUBLIC_URL and whether a proxy's X-Forwarded-* count. */
type Site = Deps['config'];

const baseOf = (c: Context, site: Site) => `${publicBase(c, site)}/ogc`;

/** The current URL as the public reached it, with some query parameters replaced (undefined removes one). */
function withParams(c: Context, site: Site, params: Record<string, string | undefined>): string {
  const url = publicRequestUrl(c, site);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  return url.toString();
}

const fmt = (c: Context, f: Format | undefined) => negotiate(f, c.req.header('accept'));

const sendJson = (c: Context, body: unknown, type = JSON_TYPE) => c.body(JSON.stringify(body), 200, { 'Content-Type': type });

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

/** CORS of /ogc, for every origin (createApp puts it before the limiter, so refusals carry it too). */
export const ogcCors = () => cors({ origin: '*', allowMethods: ['GET', 'HEAD', 'OPTIONS'] });

/**
 * OGC API – Features Part 1 under /ogc: landing page, conformance, API description, the
 * `incidents` and `districts` collections, their items and single items, as JSON (GeoJSON)
 * or HTML. Public and read-only: no personal data, CORS open to every origin.
 */
export function ogcRoutes({ pool, config: site }: Deps) {
  return (
    new Hono<AppEnv>()
      .use('*', compress())
      // OWSLib asks for `/ogc/`, ogc-client for `/ogc/collections/`: those paths serve the same
      // documents as without the slash (whose links have none). A sub-app's `/` cannot match
      // `/ogc/`, hence this check of the mounted path.
      .use('*', async (c, next) =>
        c.req.path === '/ogc/' && (c.req.method === 'GET' || c.req.method === 'HEAD') ? landing(c, site, formatOf(c)) : next(),
      )
      .get('/', validQuery(FormatQuery), (c) => landing(c, site, c.req.valid('query').f))
      .get('/conformance', validQuery(FormatQuery), (c) => conformance(c, site, c.req.valid('query').f))
      .get('/conformance/', validQuery(FormatQuery), (c) => conformance(c, site, c.req.valid('query').f))
      .get('/api', validQuery(FormatQuery), (c) => apiDescription(c, site, c.req.valid('query').f))
      .get('/collections', validQuery(FormatQuery), (c) => collectionList(c, site, pool, c.req.valid('query').f))
      .get('/collections/', validQuery(FormatQuery), (c) => collectionList(c, site, pool, c.req.valid('query').f))
      .get('/collections/:collectionId', validQuery(FormatQuery), (c) => collectionPage(c, site, pool, c.req.valid('query').f))
      .get('/collections/:collectionId/queryables', validQuery(FormatQuery), (c) =>
        schemaPage(c, site, 'queryables', c.req.valid('query').f),
      )
      .get('/collections/:collectionId/sortables', validQuery(FormatQuery), (c) => schemaPage(c, site, 'sortables', c.req.valid('query').f))
      .get('/collections/:collectionId/items', validQuery(ItemsQuerySchema), (c) => itemsPage(c, site, pool, c.req.valid('query')))
      .get('/collections/:collectionId/items/:featureId', validQuery(FormatQuery), (c) => itemPage(c, site, pool, c.req.valid('query').f))
      .all('*', () => {
        throw notFound('OGC API path');
      })
  );
}

/** The landing page: links to the description, conformance and collections. */
function landing(c: Context, site: Site, f: Format | undefined) {
  const base = baseOf(c, site);
  const links: Link[] = [
    { href: `${base}?f=json`, rel: 'self', type: JSON_TYPE, title: 'This document' },
    { href: `${base}?f=html`, rel: 'alternate', type: HTML, title: 'This document as HTML' },
    { href: `${base}/api`, rel: 'service-desc', type: OPENAPI_30_JSON, title: 'The API definition (OpenAPI 3.0)' },
    { href: `${base}/api?f=html`, rel: 'service-doc', type: HTML, title: 'The API documentation' },
    { href: `${base}/conformance`, rel: 'conformance', type: JSON_TYPE, title: 'Conformance classes' },
    {
      href: `${base}/conformance`,
      rel: 'http://www.opengis.net/def/rel/ogc/1.0/conformance',
      type: JSON_TYPE,
      title: 'Conformance classes',
    },
    { href: `${base}/collections`, rel: 'data', type: JSON_TYPE, title: 'Collections' },
    { href: `${base}/collections`, rel: 'http://www.opengis.net/def/rel/ogc/1.0/data', type: JSON_TYPE, title: 'Collections' },
  ];
  const doc = {
    title: 'Jardem — open data of the 109 centre',
    description: "Appeals to the city's non-emergency 109 centre and the city's districts, as OGC API – Features. No personal data.",
    links,
  };
  if (fmt(c, f) === 'html') {
    const body = `<p>${esc(doc.description)}</p>${linkList(links.filter((l) => l.type !== JSON_TYPE || l.rel === 'self'))}
      <h2>Collections</h2><ul>${Object.entries(COLLECTIONS)
        .map(([id, m]) => `<li><a href="${esc(`${base}/collections/${id}?f=html`)}">${esc(m.title)}</a></li>`)
        .join('')}</ul>`;
    return c.html(page(doc.title, [{ href: `${base}?f=html`, text: 'Jardem OGC API' }], body, `${base}?f=json`));
  }
  return sendJson(c, doc);
}

/** The conformance classes this service implements. */
function conformance(c: Context, site: Site, f: Format | undefined) {
  const base = baseOf(c, site);
  if (fmt(c, f) === 'html') {
    const body = `<ul>${CONFORMANCE.map((u) => `<li><code>${esc(u)}</code></li>`).join('')}</ul>`;
    return c.html(page('Conformance', [{ href: `${base}?f=html`, text: 'Jardem OGC API' }], body, `${base}/conformance?f=json`));
  }
  return sendJson(c, { conformsTo: CONFORMANCE });
}

/** The service's OpenAPI 3.0 description, or its page for people. */
function apiDescription(c: Context, site: Site, f: Format | undefined) {
  const base = baseOf(c, site);
  if (fmt(c, f) === 'html') return c.html(docsPage(`${base}/api?f=json`, 'Jardem — OGC API – Features'));
  return sendJson(c, ogcApiDocument(base), OPENAPI_30_JSON);
}

/** The collections with their extents. */
async function collectionList(c: Context, site: Site, pool: pg.Pool, f: Format | undefined) {
  const base = baseOf(c, site);
  const extents = await collectionExtents(pool);
  const collections = (['incidents', 'districts'] as const).map((id) => collectionDocument(base, id, extents[id]));
  const links: Link[] = [
    { href: `${base}/collections?f=json`, rel: 'self', type: JSON_TYPE, title: 'This document' },
    { href: `${base}/collections?f=html`, rel: 'alternate', type: HTML, title: 'This document as HTML' },
  ];
  if (fmt(c, f) === 'html') {
    const body = collections
      .map(
        (col) => `<h2><a href="${esc(`${base}/collections/${col.id}?f=html`)}">${esc(col.title)}</a></h2><p>${esc(col.description)}</p>
          <p><a href="${esc(`${base}/collections/${col.id}/items?f=html`)}">Browse the features</a></p>`,
      )
      .join('');
    return c.html(page('Collections', [{ href: `${base}?f=html`, text: 'Jardem OGC API' }], body, `${base}/collections?f=json`));
  }
  return sendJson(c, { links, collections });
}

/** One collection: its description, extent and links. */
async function collectionPage(c: Context, site: Site, pool: pg.Pool, f: Format | undefined) {
  const id = c.req.param('collectionId') ?? '';
  if (!isCollectionId(id)) throw notFound('Collection');
  const base = baseOf(c, site);
  const doc = collectionDocument(base, id, (await collectionExtents(pool))[id]);
  if (fmt(c, f) === 'html') {
    const [x0, y0, x1, y1] = doc.extent.spatial.bbox[0];
    const interval = doc.extent.temporal?.interval[0];
    const temporal = interval ? `<p>Registered from ${esc(interval[0] ?? '—')} until now.</p>` : '';
    const body = `<p>${esc(doc.description)}</p><p>Extent: ${[x0, y0, x1, y1].map((n) => n.toFixed(5)).join(', ')} (CRS84)</p>${temporal}${linkList(doc.links)}`;
    return c.html(
      page(
        doc.title,
        [
          { href: `${base}?f=html`, text: 'Jardem OGC API' },
          { href: `${base}/collections?f=html`, text: 'Collections' },
        ],
        body,
        `${base}/collections/${id}?f=json`,
      ),
    );
  }
  return sendJson(c, doc);
}

/** A page of a collection's items (appeals by cursor, districts by offset) with next/prev links. */
async function itemsPage(c: Context, site: Site, pool: pg.Pool, q: ItemsQuery) {
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
  const links: Link[] = [
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
  if (format === 'html') {
    const columns = id === 'incidents' ? HTML_INCIDENT_FIELDS : ['code', 'name_kk', 'name_ru', 'name_en', 'population'];
    const nav = `<nav class="pages">${links
      .filter((l) => l.rel === 'prev' || l.rel === 'next')
      .map((l) => `<a href="${esc(l.href)}">${esc(l.title)}</a>`)
      .join('')}</nav>`;
    const body = `<p>${features.length} of ${numberMatched ?? `more than ${COUNT_UP_TO.toLocaleString('en')}`} features.</p>${nav}${featureTable(features, [...columns], (fid) => `${base}/collections/${id}/items/${fid}?f=html`)}${nav}`;
    return c.html(
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

/** One item of a collection. */
async function itemPage(c: Context, site: Site, pool: pg.Pool, f: Format | undefined) {
  const id = c.req.param('collectionId') ?? '';
  if (!isCollectionId(id)) throw notFound('Collection');
  const featureId = c.req.param('featureId') ?? '';
  const base = baseOf(c, site);
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
    return c.html(
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

/** The queryables or sortables of a collection: a JSON Schema, or a table for people. */
function schemaPage(c: Context, site: Site, kind: 'queryables' | 'sortables', f: Format | undefined) {
  const id = c.req.param('collectionId') ?? '';
  if (!isCollectionId(id)) throw notFound('Collection');
  const base = baseOf(c, site);
  const doc = queryablesDocument(base, id, kind === 'sortables');
  if (fmt(c, f) === 'html') {
    const rows = Object.entries(doc.properties)
      .map(([name, p]) => `<tr><th><code>${esc(name)}</code></th><td>${esc(p.format ?? p.type)}</td><td>${esc(p.title)}</td></tr>`)
      .join('');
    return c.html(
      page(
        `${COLLECTIONS[id].title}: ${kind}`,
        [
          { href: `${base}?f=html`, text: 'Jardem OGC API' },
          { href: `${base}/collections/${id}?f=html`, text: id },
        ],
        `<p>${esc(doc.title)}.</p><table>${rows}</table>`,
        `${base}/collections/${id}/${kind}?f=json`,
      ),
    );
  }
  return sendJson(c, doc, SCHEMA_JSON);
}
