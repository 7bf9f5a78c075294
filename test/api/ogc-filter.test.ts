import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

/**
 * OGC API – Features Part 3 (queryables, CQL2 text `filter`) and `sortby` on /ogc, checked
 * against SQL counts of the same database (issue 21).
 */

const t = testApp();
// Appeals registered from now on (other test files create some) stay out of the comparisons.
const UNTIL = new Date().toISOString();
const until = `datetime=${encodeURIComponent(`../${UNTIL}`)}`;
const items = (qs: string) => t.json(`/ogc/collections/incidents/items?${until}&${qs}`);
const cql = (f: string) => `filter=${encodeURIComponent(f)}`;
const count = async (where: string, values: unknown[] = []) =>
  (await t.pool.query(`SELECT count(*)::int AS n FROM incidents i WHERE i.created_at <= $1 AND ${where}`, [UNTIL, ...values])).rows[0].n;
const link = (body: any, rel: string) => body.links.find((l: any) => l.rel === rel);
const relative = (href: string) => new URL(href).pathname + new URL(href).search;

describe('queryables', () => {
  it('serves a JSON Schema of public fields only, linked from the collection and its conformance', async () => {
    const res = await t.request('/ogc/collections/incidents/queryables');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/schema+json');
    const doc: any = await res.json();
    expect(doc.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(doc.type).toBe('object');
    expect(doc.properties.status.enum).toContain('new');
    expect(doc.properties.created_at).toMatchObject({ type: 'string', format: 'date-time' });
    expect(doc.properties.geometry.format).toBe('geometry-point');
    // Nothing personal, nor the free text whose public form is redacted.
    for (const name of Object.keys(doc.properties)) expect(name).not.toMatch(/phone|reporter|name|email|description|address/);
    const collection: any = (await t.json('/ogc/collections/incidents')).body;
    const rel = link(collection, 'http://www.opengis.net/def/rel/ogc/1.0/queryables');
    expect(new URL(rel.href).pathname).toBe('/ogc/collections/incidents/queryables');
    const districts: any = (await t.json('/ogc/collections/districts/queryables')).body;
    expect(Object.keys(districts.properties)).toEqual(expect.arrayContaining(['code', 'name_en', 'population', 'geometry']));
    const { conformsTo } = (await t.json('/ogc/conformance')).body;
    expect(conformsTo).toEqual(
      expect.arrayContaining([
        'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables',
        'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter',
        'http://www.opengis.net/spec/cql2/1.0/conf/cql2-text',
        'http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2',
      ]),
    );
    expect((await t.request('/ogc/collections/nothing/queryables')).status).toBe(404);
  });

  it('is described in /ogc/api, with the filter and sortby parameters, and the live answers conform', async () => {
    const api: any = (await t.json('/ogc/api')).body;
    const names = api.paths['/collections/incidents/items'].get.parameters.map((p: any) => p.name);
    expect(names).toEqual(expect.arrayContaining(['filter', 'filter-lang', 'filter-crs', 'sortby']));
    const ajv = new Ajv({ strict: false });
    for (const path of ['/collections/incidents/queryables', '/collections/districts/sortables']) {
      const validate = ajv.compile(api.paths[path].get.responses['200'].content['application/schema+json'].schema);
      expect(validate((await t.json(`/ogc${path}`)).body), path).toBe(true);
      expect(validate({ type: 'object' }), path).toBe(false);
    }
  });
});

describe('CQL2 filter', () => {
  it.each([
    ["status = 'in_progress'", "i.status = 'in_progress'"],
    ["status <> 'closed' AND priority <= 2", "i.status <> 'closed' AND i.priority <= 2"],
    ["type = 'problem' OR (priority > 3 AND NOT channel = 'phone')", "(i.type = 'problem' OR (i.priority > 3 AND i.channel <> 'phone'))"],
    ["status IN ('new', 'assigned')", "i.status IN ('new', 'assigned')"],
    ['priority BETWEEN 2 AND 3', 'i.priority BETWEEN 2 AND 3'],
    ['resolved_at IS NULL', 'i.resolved_at IS NULL'],
    ["number LIKE '%1'", "i.number LIKE '%1'"],
    ["created_at >= TIMESTAMP('2026-01-01T00:00:00Z')", "i.created_at >= '2026-01-01T00:00:00Z'"],
    ["category = 'roads.pothole'", "i.category_id = (SELECT id FROM categories WHERE code = 'roads.pothole')"],
    ["district IS NULL OR district <> 'nothing'", 'true'],
    ['S_INTERSECTS(geometry, BBOX(71.35, 42.87, 71.4, 42.91))', 'ST_Intersects(i.geom, ST_MakeEnvelope(71.35, 42.87, 71.4, 42.91, 4326))'],
    [
      'S_INTERSECTS(geometry, POLYGON((71.35 42.87, 71.4 42.87, 71.4 42.91, 71.35 42.91, 71.35 42.87)))',
      'ST_Intersects(i.geom, ST_MakeEnvelope(71.35, 42.87, 71.4, 42.91, 4326))',
    ],
  ])('%s matches what SQL counts', async (filter, where) => {
    const expected = await count(where);
    const { status, body } = await items(`limit=1&${cql(filter)}`);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.numberMatched).toBe(expected);
  });

  it('finds something for the usual filters (the counts above are not all zero)', async () => {
    for (const f of [
      "status = 'in_progress'",
      "status IN ('new', 'assigned')",
      'priority BETWEEN 2 AND 3',
      'S_INTERSECTS(geometry, BBOX(71.35, 42.87, 71.4, 42.91))',
    ]) {
      expect((await items(`limit=1&${cql(f)}`)).body.numberMatched, f).toBeGreaterThan(0);
    }
  });

  it('filters the districts too', async () => {
    const { rows } = await t.pool.query('SELECT code FROM districts ORDER BY code LIMIT 1');
    const { body } = await t.json(`/ogc/collections/districts/items?${cql(`code = '${rows[0].code}' OR population > 1e12`)}`);
    expect(body.features.map((f: any) => f.properties.code)).toEqual([rows[0].code]);
  });

  // The deep nesting is named by its length, not written out.
  const refused: [string, string, RegExp][] = (
    [
      ['status = ', /at character/],
      ["nobody = 'x'", /unknown property "nobody"/],
      ["priority = 'high'", /mixes number and string/],
      ["CASEI(status) = 'new'", /unsupported function/],
      ['S_INTERSECTS(geometry, POLYGON((71 42, 72 42, 72 43)))', /fewer than 4 positions/],
      ['S_INTERSECTS(geometry, POINT(200 42))', /outside/],
      ["created_at > TIMESTAMP('yesterday')", /TIMESTAMP/],
      ["description LIKE '%7%'", /unknown property "description"/],
      [`${'('.repeat(5000)}status = 'new'${')'.repeat(5000)}`, /nested|character/],
    ] as [string, RegExp][]
  ).map(([f, m]) => [f.length > 80 ? `${f.slice(0, 20)}… (${f.length} characters)` : f, f, m]);

  it.each(refused)('refuses %s with a 400 in the OGC exception shape', async (_name, filter, message) => {
    const { status, body } = await items(cql(filter));
    expect(status).toBe(400);
    expect(body.code).toBe('invalid_parameter');
    expect(body.description).toMatch(message);
    expect(body.description).not.toMatch(/SELECT|\$\d/);
  });

  it('takes filter-lang cql2-text and CRS84, and refuses the others', async () => {
    const crs = encodeURIComponent('http://www.opengis.net/def/crs/OGC/1.3/CRS84');
    expect((await items(`${cql("status = 'new'")}&filter-lang=cql2-text&filter-crs=${crs}`)).status).toBe(200);
    for (const qs of ['filter-lang=cql2-json', `filter-crs=${encodeURIComponent('http://www.opengis.net/def/crs/EPSG/0/3857')}`]) {
      const { status, body } = await items(`${cql("status = 'new'")}&${qs}`);
      expect(status, qs).toBe(400);
      expect(body.description).toMatch(/filter-(lang|crs)/);
    }
  });

  it('keeps a value that looks like SQL a value', async () => {
    const { status, body } = await items(cql("status = 'new'' OR ''1''=''1'"));
    expect(status).toBe(200);
    expect(body.numberMatched).toBe(0);
  });
});

describe('sortby', () => {
  it('sorts by the keys, then by id, and pages by offset to the end with filter and sortby kept', async () => {
    const filter = "type IN ('complaint', 'problem') AND priority >= 2";
    let url: string | undefined =
      `/ogc/collections/incidents/items?${until}&limit=50&sortby=${encodeURIComponent('-priority,created_at')}&${cql(filter)}`;
    const seen: any[] = [];
    while (url) {
      const { status, body } = await t.json(url);
      expect(status).toBe(200);
      seen.push(...body.features);
      const next = link(body, 'next');
      if (next) {
        const params = new URL(next.href).searchParams;
        expect(params.get('filter')).toBe(filter);
        expect(params.get('sortby')).toBe('-priority,created_at');
      }
      url = next ? relative(next.href) : undefined;
    }
    const { rows } = await t.pool.query(
      `SELECT id::int FROM incidents i WHERE created_at <= $1 AND type IN ('complaint', 'problem') AND priority >= 2
        ORDER BY priority DESC, created_at ASC, id DESC`,
      [UNTIL],
    );
    expect(rows.length).toBeGreaterThan(50);
    expect(seen.map((f) => f.id)).toEqual(rows.map((r) => r.id));
  });

  it('sorts the districts', async () => {
    const { body } = await t.json('/ogc/collections/districts/items?sortby=-population');
    const pops = body.features.map((f: any) => f.properties.population);
    expect(pops).toEqual([...pops].sort((a: number, b: number) => b - a));
  });

  it('refuses an unknown or unsortable property, and sortby with a cursor', async () => {
    for (const s of ['nobody', 'category', 'priority,priority', 'priority;drop']) {
      const { status, body } = await items(`sortby=${encodeURIComponent(s)}`);
      expect(status, s).toBe(400);
      expect(body.description).toMatch(/^Invalid query parameter sortby: /);
    }
    const first: any = (await items('limit=2')).body;
    const cursor = new URL(link(first, 'next').href).searchParams.get('cursor');
    expect((await items(`sortby=priority&cursor=${cursor}`)).status).toBe(400);
  });

  it('lists the sortables', async () => {
    const res = await t.request('/ogc/collections/incidents/sortables');
    expect(res.headers.get('content-type')).toBe('application/schema+json');
    const doc: any = await res.json();
    expect(Object.keys(doc.properties)).toEqual(expect.arrayContaining(['priority', 'created_at']));
    expect(doc.properties.category).toBeUndefined();
  });
});
