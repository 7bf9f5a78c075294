import { type Context, Hono } from 'hono';
import type pg from 'pg';
import { openCors } from '../open-cors.ts';
import type { AppEnv, Deps } from '../context.ts';
import { notFound, validationError } from '../errors.ts';
import { docsPage } from '../openapi/docs-page.ts';
import { validQuery } from '../validate.ts';
import { ogcApiDocument, OPENAPI_30_JSON } from './api-document.ts';
import { COLLECTIONS, collectionDocument, collectionExtents, CONFORMANCE, HTML, isCollectionId, JSON_TYPE } from './collections.ts';
import { esc, type Link, linkList, page } from './html.ts';
import { itemPage, itemsPage } from './items-pages.ts';
import { baseOf, fmt, sendHtml, sendJson, type Site } from './page-kit.ts';
import { collapseRepeats, type Format, formatParam, ItemsQuerySchema } from './params.ts';
import { queryablesDocument, SCHEMA_JSON } from './queryables.ts';
import { z } from 'zod';

const FormatQuery = z.object({ f: z.preprocess(collapseRepeats, formatParam).optional() });

/** `f` of a request no route's validator has read. */
function formatOf(c: Context): Format | undefined {
  const parsed = FormatQuery.safeParse({ f: c.req.queries('f') });
  if (!parsed.success) throw validationError(parsed.error, 'query parameter');
  return parsed.data.f;
}
/** CORS of /ogc, for every origin (createApp puts it before the limiter, so refusals carry it too). */
export const ogcCors = () => openCors({ allowMethods: ['GET', 'HEAD', 'OPTIONS'] });

/**
 * OGC API – Features Part 1 under /ogc: landing page, conformance, API description, the
 * `incidents` and `districts` collections, their items and single items, as JSON (GeoJSON)
 * or HTML. Public and read-only: no personal data, CORS open to every origin.
 */
export function ogcRoutes({ pool, config: site }: Deps) {
  return (
    new Hono<AppEnv>()
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
    return sendHtml(c, page(doc.title, [{ href: `${base}?f=html`, text: 'Jardem OGC API' }], body, `${base}?f=json`));
  }
  return sendJson(c, doc);
}

/** The conformance classes this service implements. */
function conformance(c: Context, site: Site, f: Format | undefined) {
  const base = baseOf(c, site);
  if (fmt(c, f) === 'html') {
    const body = `<ul>${CONFORMANCE.map((u) => `<li><code>${esc(u)}</code></li>`).join('')}</ul>`;
    return sendHtml(c, page('Conformance', [{ href: `${base}?f=html`, text: 'Jardem OGC API' }], body, `${base}/conformance?f=json`));
  }
  return sendJson(c, { conformsTo: CONFORMANCE });
}

/** The service's OpenAPI 3.0 description, or its page for people. */
function apiDescription(c: Context, site: Site, f: Format | undefined) {
  const base = baseOf(c, site);
  if (fmt(c, f) === 'html') return sendHtml(c, docsPage(`${base}/api?f=json`, 'Jardem — OGC API – Features'));
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
    return sendHtml(c, page('Collections', [{ href: `${base}?f=html`, text: 'Jardem OGC API' }], body, `${base}/collections?f=json`));
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
    return sendHtml(
      c,
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
    return sendHtml(
      c,
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
