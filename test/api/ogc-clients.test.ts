import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { OgcApiEndpoint } from '@camptocamp/ogc-client';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

/**
 * Two OGC API – Features clients nobody here wrote, against the real HTTP server (issue 21):
 * OWSLib through Debian's Python (CI installs python3-owslib) and @camptocamp/ogc-client from
 * Node. Both open the service, list collections, read items, page to the end of a CQL2-filtered
 * collection and sort. A missing OWSLib fails the test, with the package to install.
 */
const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const SCRIPT = new URL('../fixtures/clients/owslib-ogc.py', import.meta.url).pathname;
const t = testApp();
let base = '';
let close: () => void = () => undefined;
// Appeals registered from now on (other test files create some) stay out of the comparisons.
const UNTIL = new Date().toISOString();
const FILTER = "status <> 'closed' AND priority >= 2";
const BBOX = '71.35,42.87,71.4,42.91';

/** The appeals FILTER matches, as the database counts them. */
async function filteredIds(): Promise<number[]> {
  const { rows } = await t.pool.query(
    `SELECT id::int FROM incidents WHERE created_at <= $1 AND status <> 'closed' AND priority >= 2 ORDER BY created_at DESC, id DESC`,
    [UNTIL],
  );
  return rows.map((r) => r.id);
}

beforeAll(async () => {
  const server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((done) => server.once('listening', () => done()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ogc`;
  close = () => server.close();
});

afterAll(() => close());

/** Runs OWSLib over the service; rejects with what to install when Python or OWSLib is missing. */
async function runOwslib(): Promise<any> {
  try {
    const { stdout } = await run(PYTHON, [SCRIPT, base, UNTIL, BBOX, FILTER], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(stdout);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`${PYTHON} is missing: install Debian's python3 and python3-owslib.`, { cause: err });
    if ((e.code as unknown) === 3) {
      throw new Error(`OWSLib is missing from ${PYTHON}: install Debian's python3-owslib (apt-get install python3-owslib).`, {
        cause: err,
      });
    }
    throw new Error(`OWSLib failed: ${e.stderr ?? e.message}`, { cause: err });
  }
}

describe('OWSLib (Python)', () => {
  // One run for the tests below; each awaits it, so a missing OWSLib fails every one (none is skipped).
  let owslib: Promise<any>;
  beforeAll(() => {
    owslib = runOwslib();
    owslib.catch(() => undefined);
  });

  it('opens the landing page, its API description, conformance and collections', { timeout: 120_000 }, async () => {
    const seen = await owslib;
    expect(seen.landing_rels).toEqual(expect.arrayContaining(['service-desc', 'conformance', 'data']));
    expect(seen.api_paths).toEqual(expect.arrayContaining(['/collections/incidents/items', '/collections/incidents/queryables']));
    expect(seen.conformance).toContain('http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter');
    expect(seen.collections).toEqual(['incidents', 'districts']);
    expect(seen.feature_collections).toEqual(['incidents', 'districts']);
    expect(seen.queryables).toEqual(expect.arrayContaining(['status', 'priority', 'geometry']));
  });

  it('reads items in a bbox with a limit', async () => {
    const seen = await owslib;
    const [x0, y0, x1, y1] = BBOX.split(',').map(Number);
    const { rows } = await t.pool.query(
      'SELECT count(*)::int AS n FROM incidents WHERE created_at <= $1 AND ST_Intersects(geom, ST_MakeEnvelope($2, $3, $4, $5, 4326))',
      [UNTIL, x0, y0, x1, y1],
    );
    expect(seen.bbox.matched).toBe(rows[0].n);
    expect(seen.bbox.returned).toBe(Math.min(10, rows[0].n));
    for (const [x, y] of seen.bbox.positions) expect(x >= x0 && x <= x1 && y >= y0 && y <= y1).toBe(true);
  });

  it('pages by offset to the end of a CQL2-filtered collection, each appeal once', async () => {
    const seen = await owslib;
    const ids = await filteredIds();
    expect(ids.length).toBeGreaterThan(50);
    expect(seen.filtered.matched).toBe(ids.length);
    expect(seen.filtered.ids).toEqual(ids);
    expect(seen.filtered.offsets).toEqual(Array.from({ length: Math.ceil(ids.length / 25) - 1 }, (_, i) => 25 * (i + 1)));
  });

  it('pages to the end in sortby order, each appeal once', async () => {
    const seen = await owslib;
    const ids = await filteredIds();
    expect([...seen.sorted.ids].sort()).toEqual([...ids].sort());
    expect(new Set(seen.sorted.ids).size).toBe(ids.length);
    const priorities = seen.sorted_priorities;
    expect(priorities).toEqual([...priorities].sort((a: number, b: number) => b - a));
  });
});

describe('@camptocamp/ogc-client (Node)', () => {
  it('opens the endpoint and lists the feature collections, their queryables and sortables', async () => {
    const endpoint = new OgcApiEndpoint(`${base}/`);
    expect((await endpoint.info).title).toMatch(/Jardem/);
    expect(await endpoint.featureCollections).toEqual(['incidents', 'districts']);
    expect(await endpoint.conformanceClasses).toContain('http://www.opengis.net/spec/cql2/1.0/conf/cql2-text');
    const info = await endpoint.getCollectionInfo('incidents');
    expect(info.queryables.map((q) => q.name)).toEqual(expect.arrayContaining(['status', 'priority', 'geometry']));
    expect(info.queryables.find((q) => q.name === 'geometry')?.type).toBe('point');
    expect(info.sortables.map((q) => q.name)).toEqual(expect.arrayContaining(['priority', 'created_at']));
  });

  it('reads items and pages by offset to the end of a CQL2-filtered collection (filter passed as its free query)', async () => {
    const endpoint = new OgcApiEndpoint(`${base}/`);
    const first = await endpoint.getCollectionItems('incidents', 5);
    expect(first).toHaveLength(5);
    const ids: unknown[] = [];
    // The library has no filter option: its `query` argument appends `filter=...` to the URL it builds.
    for (let offset = 0; ; offset += 40) {
      const page = await endpoint.getCollectionItems(
        'incidents',
        40,
        offset,
        undefined,
        undefined,
        undefined,
        undefined,
        { end: new Date(UNTIL) },
        `filter=${FILTER}`,
      );
      ids.push(...page.map((f) => f.id));
      if (page.length < 40) break;
    }
    expect(ids).toEqual(await filteredIds());
  });

  it('sorts with its sortBy option', async () => {
    const endpoint = new OgcApiEndpoint(`${base}/`);
    const page = await endpoint.getCollectionItems(
      'incidents',
      100,
      0,
      undefined,
      ['-priority', 'created_at'],
      undefined,
      undefined,
      undefined,
      `filter=${FILTER}`,
    );
    const priorities = page.map((f) => (f.properties as unknown as Record<string, number>).priority);
    expect(priorities.length).toBeGreaterThan(10);
    expect(priorities).toEqual([...priorities].sort((a, b) => b - a));
  });
});
