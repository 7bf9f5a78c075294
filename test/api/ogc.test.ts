import { describe, expect, it } from 'vitest';
import { countPublicIncidents } from '../../server/exports/rows.ts';
import { Where } from '../../server/incidents/filters.ts';
import { COUNT_UP_TO } from '../../server/ogc/queries.ts';
import {
  PUBLIC_INCIDENT_COLUMNS,
  PUBLIC_INCIDENT_JOINS,
  publicFeature,
  type PublicIncidentRow,
} from '../../server/exports/public-incident.ts';
import { publicText } from '../../server/privacy/visibility.ts';
import { testApp } from '../helpers/app.ts';
import { gunzipSync } from 'node:zlib';
import { GZIP_FROM_BYTES } from '../../server/gzip-body.ts';

const t = testApp();
// Appeals registered from now on (other test files create some) stay out of the comparisons.
const until = new Date().toISOString();
const UNTIL = `datetime=${encodeURIComponent(`../${until}`)}`;
const ogc = (path: string, init?: RequestInit) => t.json(`/ogc${path}`, init);
const PHONE = /\+7 ?7\d\d/;

describe('OGC API – Features: capabilities', () => {
  it('serves a landing page linking the API description, conformance and collections', async () => {
    const { status, body, headers } = await ogc('');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    const rels = body.links.map((l: any) => l.rel);
    expect(rels).toEqual(expect.arrayContaining(['self', 'alternate', 'service-desc', 'service-doc', 'conformance', 'data']));
    const desc = body.links.find((l: any) => l.rel === 'service-desc');
    expect(desc.type).toBe('application/vnd.oai.openapi+json;version=3.0');
    expect(desc.href).toMatch(/^http:\/\/localhost\/ogc\/api$/);
  });

  it('declares the conformance classes core, geojson, html and oas30', async () => {
    const { body } = await ogc('/conformance');
    for (const c of ['core', 'geojson', 'html', 'oas30'])
      expect(body.conformsTo).toContain(`http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/${c}`);
  });

  it('describes itself in OpenAPI 3.0 JSON with both collections and the items parameters', async () => {
    const res = await t.request('/ogc/api');
    expect(res.headers.get('content-type')).toBe('application/vnd.oai.openapi+json;version=3.0');
    const doc = await res.json();
    expect(doc.openapi).toMatch(/^3\.0\./);
    for (const p of [
      '/',
      '/conformance',
      '/api',
      '/collections',
      '/collections/incidents/items',
      '/collections/districts/items/{featureId}',
    ]) {
      expect(doc.paths[p]?.get, p).toBeDefined();
    }
    const names = doc.paths['/collections/incidents/items'].get.parameters.map((p: any) => p.name);
    expect(names).toEqual(expect.arrayContaining(['bbox', 'datetime', 'limit', 'status', 'category']));
    const limit = doc.paths['/collections/incidents/items'].get.parameters.find((p: any) => p.name === 'limit');
    expect(limit.schema).toMatchObject({ minimum: 1, maximum: 10000 });
  });

  it('lists the collections with spatial (CRS84) and temporal extents', async () => {
    const { body } = await ogc('/collections');
    expect(body.collections.map((c: any) => c.id)).toEqual(['incidents', 'districts']);
    const inc = body.collections[0];
    const [x0, y0, x1, y1] = inc.extent.spatial.bbox[0];
    // It holds the city. (The planner's estimate is used: instant at any size; it may lag
    // behind the newest rows, so it is not compared with an exact extent here.)
    const city = (
      await t.pool.query(
        `SELECT ST_XMin(e) x0, ST_YMin(e) y0, ST_XMax(e) x1, ST_YMax(e) y1 FROM (SELECT ST_Extent(geom)::geometry e FROM districts) t`,
      )
    ).rows[0];
    expect(x0).toBeLessThanOrEqual(city.x0);
    expect(y0).toBeLessThanOrEqual(city.y0);
    expect(x1).toBeGreaterThanOrEqual(city.x1);
    expect(y1).toBeGreaterThanOrEqual(city.y1);
    expect(x0 >= -180 && x1 <= 180 && y0 >= -90 && y1 <= 90).toBe(true);
    expect(inc.extent.spatial.crs).toBe('http://www.opengis.net/def/crs/OGC/1.3/CRS84');
    const { rows } = await t.pool.query('SELECT min(created_at) AS t0 FROM incidents');
    expect(Date.parse(inc.extent.temporal.interval[0][0])).toBe(rows[0].t0.getTime());
    expect(inc.extent.temporal.interval[0][1]).toBeNull();
    expect(inc.links.some((l: any) => l.rel === 'items' && l.type === 'application/geo+json')).toBe(true);
    expect((await ogc('/collections/districts')).body.id).toBe('districts');
    expect((await ogc('/collections/nope')).status).toBe(404);
  });
});

describe('OGC API – Features: items', () => {
  it("counts matches only up to a bound (numberMatched is left out beyond it, at Astana's history)", async () => {
    const where = new Where().add('i.created_at <= now()');
    const { rows } = await t.pool.query('SELECT count(*)::int AS n FROM incidents');
    expect(await countPublicIncidents(t.pool, where, 100)).toBe(101);
    expect(await countPublicIncidents(t.pool, where, rows[0].n + 5)).toBeGreaterThanOrEqual(rows[0].n);
    expect(COUNT_UP_TO).toBeGreaterThanOrEqual(10_000);
  });

  it('answers GeoJSON with numberMatched equal to the database count, numberReturned, timeStamp and links', async () => {
    const res = await t.request(`/ogc/collections/incidents/items?limit=25&${UNTIL}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    const body = await res.json();
    const { rows } = await t.pool.query('SELECT count(*)::int AS n FROM incidents WHERE created_at <= $1', [until]);
    expect(body.type).toBe('FeatureCollection');
    expect(body.numberMatched).toBe(rows[0].n);
    expect(body.numberReturned).toBe(25);
    expect(body.features).toHaveLength(25);
    expect(Number.isNaN(Date.parse(body.timeStamp))).toBe(false);
    const rels = body.links.map((l: any) => l.rel);
    expect(rels).toEqual(expect.arrayContaining(['self', 'alternate', 'next', 'collection']));
    expect(rels).not.toContain('prev');
  });

  it('publishes only the public columns: no reporter names or phones', async () => {
    const { body } = await ogc('/collections/incidents/items?limit=500');
    const f = body.features[0];
    expect(Object.keys(f.properties).sort()).toEqual(
      [
        'number',
        'type',
        'category',
        'sphere',
        'channel',
        'status',
        'priority',
        'district',
        'service',
        'created_at',
        'due_at',
        'resolved_at',
        'closed_at',
        'overdue',
        'address',
        'description',
      ].sort(),
    );
    expect(f.geometry.type).toBe('Point');
    expect(JSON.stringify(body)).not.toMatch(PHONE);
    const { rows } = await t.pool.query(`SELECT name FROM incident_reporters WHERE name ~ '^[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+$' LIMIT 50`);
    for (const r of rows) expect(JSON.stringify(body)).not.toContain(r.name);
  });

  it('writes each feature of a page and a single item as publicFeature() builds it from the row (free text redacted)', async () => {
    // The JSON pages are written by PostgreSQL (server/ogc/feature-text.ts): the same keys in the
    // same order and the same values as the object path, timestamps and coordinates included.
    const { body } = await ogc(`/collections/incidents/items?limit=300&${UNTIL}`);
    expect(body.features.length).toBeGreaterThan(50);
    const { rows } = await t.pool.query<PublicIncidentRow>(
      `SELECT ${PUBLIC_INCIDENT_COLUMNS} FROM incidents i ${PUBLIC_INCIDENT_JOINS} WHERE i.id = ANY($1::bigint[])`,
      [body.features.map((f: any) => f.id)],
    );
    const expected = new Map(rows.map((r) => [r.id, JSON.stringify(publicFeature(publicText(r)))]));
    for (const f of body.features) expect(JSON.stringify(f)).toBe(expected.get(f.id));
    expect(body.features.some((f: any) => f.properties.resolved_at === null)).toBe(true);
    const withNulls = body.features.find((f: any) => f.properties.closed_at === null);
    const { body: one } = await ogc(`/collections/incidents/items/${withNulls.id}`);
    const { links, ...feature } = one;
    expect(JSON.stringify(feature)).toBe(expected.get(withNulls.id));
    expect(links.map((l: any) => l.rel)).toEqual(['self', 'alternate', 'collection']);
  });

  it('follows next and prev links through the whole collection, each feature once', async () => {
    const seen = new Set<number>();
    let url: string | undefined = `/ogc/collections/incidents/items?type=complaint,problem&limit=37&${UNTIL}`;
    let matched = 0;
    let pages = 0;
    let last: any;
    while (url) {
      const body: any = await (await t.request(url)).json();
      matched = body.numberMatched;
      for (const f of body.features) {
        expect(seen.has(f.id)).toBe(false);
        seen.add(f.id);
      }
      pages++;
      last = body;
      const next = body.links.find((l: any) => l.rel === 'next');
      url = next ? new URL(next.href).pathname + new URL(next.href).search : undefined;
    }
    expect(seen.size).toBe(matched);
    expect(pages).toBe(Math.ceil(matched / 37));
    // Back one page from the last.
    const prev = last.links.find((l: any) => l.rel === 'prev');
    const before: any = await (await t.request(new URL(prev.href).pathname + new URL(prev.href).search)).json();
    expect(before.features).toHaveLength(37);
    const times = before.features.map((f: any) => Date.parse(f.properties.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(Date.parse(before.features.at(-1).properties.created_at)).toBeGreaterThanOrEqual(
      Date.parse(last.features[0].properties.created_at),
    );
    expect(before.links.some((l: any) => l.rel === 'next')).toBe(true);
  });

  it('filters by bbox', async () => {
    const { body } = await ogc(`/collections/incidents/items?bbox=71.35,42.87,71.40,42.91&limit=10000&${UNTIL}`);
    const { rows } = await t.pool.query(
      `SELECT count(*)::int AS n FROM incidents
        WHERE ST_X(geom) BETWEEN 71.35 AND 71.40 AND ST_Y(geom) BETWEEN 42.87 AND 42.91 AND created_at <= $1`,
      [until],
    );
    expect(body.numberMatched).toBe(rows[0].n);
    expect(body.numberReturned).toBe(rows[0].n);
    for (const f of body.features) {
      const [x, y] = f.geometry.coordinates;
      expect(x >= 71.35 && x <= 71.4 && y >= 42.87 && y <= 42.91).toBe(true);
    }
  });

  it('filters by datetime: instants, days, closed and open-ended intervals', async () => {
    const count = async (sql: string, values: unknown[] = []) =>
      (await t.pool.query(`SELECT count(*)::int AS n FROM incidents WHERE ${sql}`, values)).rows[0].n;
    const matched = async (dt: string) =>
      (await ogc(`/collections/incidents/items?limit=1&datetime=${encodeURIComponent(dt)}`)).body.numberMatched;
    const { rows } = await t.pool.query(
      `SELECT created_at, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS iso FROM incidents ORDER BY id LIMIT 1 OFFSET 100`,
    );
    const at = rows[0].iso as string;
    expect(await matched(at)).toBe(await count('created_at = $1::timestamptz', [at]));
    const mid = new Date(Date.now() - 90 * 86_400_000).toISOString();
    expect(await matched(`../${mid}`)).toBe(await count('created_at <= $1::timestamptz', [mid]));
    // Open to now: other test files may register appeals meanwhile, so the answer lies between
    // a count just before and one just after.
    const within = async (dt: string, sql: string, values: unknown[]) => {
      const before = await count(sql, values);
      const n = await matched(dt);
      expect(n).toBeGreaterThanOrEqual(before);
      expect(n).toBeLessThanOrEqual(await count(sql, values));
    };
    await within(`${mid}/..`, 'created_at >= $1::timestamptz', [mid]);
    expect(await matched(`/${mid}`)).toBe(await count('created_at <= $1::timestamptz', [mid]));
    const a = new Date(Date.now() - 120 * 86_400_000).toISOString();
    expect(await matched(`${a}/${mid}`)).toBe(await count('created_at BETWEEN $1::timestamptz AND $2::timestamptz', [a, mid]));
    // A date is its whole day in the city's time zone.
    const day = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
    expect(await matched(day)).toBe(await count(`created_at >= $1::date::timestamptz AND created_at < ($1::date + 1)::timestamptz`, [day]));
    expect(await matched(`../${day}`)).toBe(await count(`created_at < ($1::date + 1)::timestamptz`, [day]));
    await within(`${day}/..`, `created_at >= $1::date::timestamptz`, [day]);
  });

  it('combines the incident filters of the API (status, category, district) with OGC parameters', async () => {
    const { body } = await ogc('/collections/incidents/items?status=open&category=heating&limit=10000');
    const { rows } = await t.pool.query(
      `SELECT count(*)::int AS n FROM incidents i JOIN categories c ON c.id = i.category_id JOIN categories s ON s.id = c.sphere_id
        WHERE i.is_open AND s.code = 'heating'`,
    );
    expect(body.numberMatched).toBe(rows[0].n);
    for (const f of body.features) expect(f.properties.sphere).toBe('heating');
  });

  it('refuses unknown parameters (OGC API – Features /req/core/query-param-unknown) and lowers a limit above the maximum', async () => {
    const extra = await ogc('/collections/incidents/items?limit=5&SERVICE=WFS&resultType=results&foo=bar');
    expect(extra.status).toBe(400);
    expect(extra.body.error.code).toBe('unknown_parameter');
    expect(extra.body.error.details.map((d: { path: string }) => d.path)).toEqual(['SERVICE', 'resultType', 'foo']);
    // GDAL repeats the dataset URL's own query on every request: the same value twice is one value.
    const twice = await ogc('/collections/incidents/items?limit=5&datetime=../2030-01-01&datetime=../2030-01-01&status=open&status=open');
    expect(twice.status).toBe(200);
    expect((await ogc('/collections/incidents/items?limit=5&limit=6')).status).toBe(400);
    const big = await ogc('/collections/incidents/items?limit=50000');
    expect(big.status).toBe(200);
    expect(big.body.numberReturned).toBe(Math.min(10000, big.body.numberMatched));
  });

  it.each([
    ['bbox=1,2,3', 'bbox'],
    ['bbox=a,b,c,d', 'bbox'],
    ['datetime=yesterday', 'datetime'],
    ['datetime=2026-02-01/2026-01-01', 'datetime'],
    ['limit=0', 'limit'],
    ['limit=ten', 'limit'],
    ['cursor=garbage', 'cursor'],
    ['status=lost', 'status'],
    ['bbox-crs=EPSG:3857', 'bbox-crs'],
    ['f=xml', 'f'],
  ])('rejects %s with a 400 in the JSON error shape', async (qs, param) => {
    const { status, body } = await ogc(`/collections/incidents/items?${qs}`);
    expect(status).toBe(400);
    expect(body.error.code).toMatch(/invalid_parameter|bad_request/);
    expect(body.error.message).toContain(param);
    expect(JSON.stringify(body)).not.toMatch(/SELECT|stack/);
  });

  it('returns one feature by id or by public number, and 404 for an unknown one', async () => {
    const first = (await ogc('/collections/incidents/items?limit=1')).body.features[0];
    const byId = await ogc(`/collections/incidents/items/${first.id}`);
    expect(byId.status).toBe(200);
    expect(byId.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(byId.body.properties.number).toBe(first.properties.number);
    expect(byId.body.links.map((l: any) => l.rel)).toEqual(expect.arrayContaining(['self', 'alternate', 'collection']));
    const byNumber = await ogc(`/collections/incidents/items/${first.properties.number}`);
    expect(byNumber.body.id).toBe(first.id);
    expect((await ogc('/collections/incidents/items/999999999')).status).toBe(404);
    expect((await ogc('/collections/incidents/items/no-such')).status).toBe(404);
  });

  it('serves the districts with their names and geometry', async () => {
    const { body } = await ogc('/collections/districts/items');
    const { rows } = await t.pool.query('SELECT count(*)::int AS n FROM districts');
    expect(body.numberMatched).toBe(rows[0].n);
    expect(body.features[0].geometry.type).toBe('MultiPolygon');
    expect(body.features[0].properties).toMatchObject({
      code: expect.any(String),
      name_ru: expect.any(String),
      name_kk: expect.any(String),
    });
    const paged = await ogc('/collections/districts/items?limit=1');
    expect(paged.body.features).toHaveLength(1);
    expect(rows[0].n).toBeGreaterThan(1);
    expect(paged.body.links.some((l: any) => l.rel === 'next' && l.href.includes('offset=1'))).toBe(true);
    const one = await ogc(`/collections/districts/items/${body.features[0].properties.code}`);
    expect(one.body.id).toBe(body.features[0].id);
  });
});

describe('OGC API – Features: compression', () => {
  it('gzips a page a client takes gzip for (the same document), leaves a small item and a refusing client uncompressed', async () => {
    const path = `/ogc/collections/incidents/items?limit=50&${UNTIL}`;
    const plain = await t.request(path);
    const plainText = await plain.text();
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('content-length')).toBe(String(Buffer.byteLength(plainText)));
    expect(plainText.length).toBeGreaterThan(GZIP_FROM_BYTES);
    const zipped = await t.request(path, { headers: { 'accept-encoding': 'br;q=1, gzip;q=0.5' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toMatch(/accept-encoding/i);
    const unzipped = JSON.parse(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString('utf8'));
    const expected = JSON.parse(plainText);
    expect(unzipped.features).toEqual(expected.features);
    expect(unzipped.numberMatched).toBe(expected.numberMatched);
    // An explicit refusal and a body below the threshold go as they are.
    const refused = await t.request(path, { headers: { 'accept-encoding': 'gzip;q=0, *;q=0.5' } });
    expect(refused.headers.get('content-encoding')).toBeNull();
    const first = JSON.parse(plainText).features[0];
    const small = await t.request('/ogc/conformance', { headers: { 'accept-encoding': 'gzip' } });
    const conformance = await small.text();
    expect(conformance.length).toBeLessThan(GZIP_FROM_BYTES);
    expect(small.headers.get('content-encoding')).toBeNull();
    const html = await t.request(`/ogc/collections/incidents/items/${first.id}?f=html`, { headers: { 'accept-encoding': 'gzip' } });
    expect(html.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await html.arrayBuffer())).toString('utf8')).toContain(first.properties.number);
  });
});

describe('OGC API – Features: HTML for people', () => {
  it.each(['', '/conformance', '/collections', '/collections/incidents', '/collections/incidents/items?limit=5', '/api'])(
    'renders %s as HTML with f=html and for a browser Accept header',
    async (path) => {
      const sep = path.includes('?') ? '&' : '?';
      const res = await t.request(`/ogc${path}${sep}f=html`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toMatch(/<!doctype html>/i);
      const browser = await t.request(`/ogc${path}`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect(browser.headers.get('content-type')).toMatch(/^text\/html/);
    },
  );

  it('escapes what it shows and keeps personal data out of the pages', async () => {
    const first = (await ogc('/collections/incidents/items?limit=1')).body.features[0];
    const html = await (await t.request(`/ogc/collections/incidents/items/${first.id}?f=html`)).text();
    expect(html).toContain(first.properties.number);
    expect(html).not.toMatch(PHONE);
    expect(html).not.toMatch(/<script/i);
  });
});
