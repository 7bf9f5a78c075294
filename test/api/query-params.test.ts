import { beforeAll, describe, expect, it } from 'vitest';
import { hexGridCacheStats } from '../../server/hotspots/queries.ts';
import { responseCacheStats } from '../../server/response-cache.ts';
import { testApp } from '../helpers/app.ts';

/**
 * Issue 15, finding 1: every API, OGC, Open311 and tile route refuses query parameters it does
 * not define (400 `unknown_parameter` naming them), and the cache of computed answers is keyed
 * on the validated parameters and bounded in bytes. On main `/api/hotspots?x=1 … ?x=400` made
 * 400 cache entries of ~0.5 MB each and the server died of its heap.
 */
const t = testApp();
// A second app on its own pool, with a small budget, to watch eviction.
const small = testApp({ JARDEM_RESPONSE_CACHE_MB: '0.25' });

let admin = '';
beforeAll(async () => {
  admin = await t.login('admin');
});

// One route of each family, as the role that may call it (cookie or not).
const SAMPLE: [string, boolean][] = [
  ['/api/health', false],
  ['/api/meta', false],
  ['/api/districts?status=open', false],
  ['/api/incidents?limit=1', true],
  ['/api/incidents/duplicates?category=lighting&lng=71.37&lat=42.9', true],
  ['/api/control?limit=1', true],
  ['/api/stats/summary', true],
  ['/api/stats/timeseries?interval=week', true],
  ['/api/hotspots', false],
  ['/api/hotspots/clusters', false],
  ['/api/map/clusters?z=12', false],
  ['/api/alerts', true],
  ['/api/auth/me', true],
  ['/api/admin/users', true],
  ['/api/exports/incidents.csv', true],
  ['/api/openapi.json', false],
  ['/api/public/incidents/109-2026-000001', false],
  ['/api/channels/whatsapp/webhook?hub.mode=subscribe', false],
  ['/ogc', false],
  ['/ogc/conformance', false],
  ['/ogc/collections', false],
  ['/ogc/collections/incidents', false],
  ['/ogc/collections/incidents/items?limit=1', false],
  ['/ogc/collections/districts/items?offset=1', false],
  ['/tiles/incidents/12/2860/1505.mvt?status=open', false],
];

describe('unknown query parameters', () => {
  it.each(SAMPLE)('%s with an extra parameter: 400 unknown_parameter naming it', async (path, signedIn) => {
    const headers = signedIn ? { cookie: admin } : undefined;
    const res = await t.json(`${path}${path.includes('?') ? '&' : '?'}x=1`, { headers });
    expect(res.status).toBe(400);
    const error = {
      code: 'unknown_parameter',
      message: expect.stringContaining('x'),
      details: [{ path: 'x', message: expect.any(String) }],
    };
    // Under /ogc the OGC exception's code and description come with it (issue 21).
    const ogc = path.startsWith('/ogc') ? { code: 'unknown_parameter', description: error.message } : {};
    expect(res.body).toEqual({ ...ogc, error });
  });

  it('names every unknown parameter, and lets the known ones through', async () => {
    const res = await t.json('/api/districts?status=open&foo=1&bar=2&status=new');
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['foo', 'bar']);
    expect((await t.json('/api/districts?status=open&category=heating')).status).toBe(200);
  });

  it('Open311 answers in its own error shape, naming the parameter', async () => {
    const json = await t.json('/open311/v2/requests.json?page_size=1&sort=desc');
    expect(json.status).toBe(400);
    expect(json.body).toEqual([{ code: 400, description: expect.stringContaining('sort') }]);
    const xml = await t.request('/open311/v2/services.xml?x=1');
    expect(xml.status).toBe(400);
    expect(await xml.text()).toMatch(/<errors>\s*<error>\s*<code>400<\/code>\s*<description>[^<]*\bx\b/);
    for (const path of [
      '/open311/v2/discovery.json?x=1',
      '/open311/v2/requests/1.json?page=2',
      '/open311/v2/services/roads.pothole.json?q=a',
    ]) {
      expect((await t.request(path)).status, path).toBe(400);
    }
  });

  it('keeps what clients really send: GDAL on every OGC page, the map tile version, Open311 jurisdiction_id', async () => {
    // GDAL repeats the dataset URL's query (OAPIF:…/ogc?datetime=…&status=…) on every request.
    for (const path of ['/ogc', '/ogc/collections', '/ogc/conformance', '/ogc/collections/incidents', '/ogc/api']) {
      expect((await t.request(`${path}?datetime=../2030-01-01&status=open&f=json`)).status, path).toBe(200);
    }
    const tile = await t.request('/tiles/incidents/12/2860/1505.mvt?status=open&v=3');
    expect([200, 204]).toContain(tile.status);
    expect((await t.request('/open311/v2/requests.json?jurisdiction_id=taraz&page_size=1&extensions=true')).status).toBe(200);
    expect((await t.request('/open311/v2/services.json?jurisdiction_id=taraz')).status).toBe(200);
    // A path no route serves is still a 404, whatever its query.
    expect((await t.request('/api/nowhere?x=1')).status).toBe(404);
  });
});

describe('the answer cache', () => {
  it('an anonymous /api/hotspots?x=1 … ?x=400 loop is refused and leaves the cache as it was', async () => {
    await t.request('/api/hotspots');
    const before = responseCacheStats(t.pool);
    expect(before.entries).toBeGreaterThan(0);
    for (let x = 1; x <= 400; x++) {
      const res = await t.request(`/api/hotspots?x=${x}`);
      expect(res.status).toBe(400);
    }
    const after = responseCacheStats(t.pool);
    expect(after.bytes).toBe(before.bytes);
    expect(after.bytes).toBeLessThanOrEqual(after.maxBytes);
    // The default budget of JARDEM_RESPONSE_CACHE_MB (8 MB since the leaner-server change, docs/operations.md).
    expect(after.maxBytes).toBe(8 * 1024 * 1024);
    // The hexagon grids behind the answers are bounded in bytes too.
    const grids = hexGridCacheStats(t.pool);
    expect(grids.grids).toBeGreaterThan(0);
    expect(grids.bytes).toBeGreaterThan(0);
    expect(grids.bytes).toBeLessThanOrEqual(grids.maxBytes);
  });

  it('keys on the validated parameters: order, repeats and spelled-out defaults share one entry', async () => {
    const count = () => responseCacheStats(t.pool).entries;
    await t.request('/api/districts?status=new,open&district=talas');
    const n = count();
    for (const q of ['district=talas&status=open,new', 'status=open&status=new&district=talas', 'status=new,open,new&district=talas']) {
      expect((await t.request(`/api/districts?${q}`)).status, q).toBe(200);
      expect(count(), q).toBe(n);
    }
    await t.request('/api/hotspots/clusters'); // not a cached route: no entry
    await t.request('/api/hotspots?normalize=none&include=all&cell=400');
    const m = count();
    await t.request('/api/hotspots?cell=4e2');
    await t.request('/api/hotspots');
    expect(count()).toBe(m);
  });

  it('stays within its byte budget, dropping the least recently used answers', async () => {
    const { maxBytes } = responseCacheStats(small.pool);
    expect(maxBytes).toBe(0.25 * 1024 * 1024);
    for (let k = 0; k < 40; k++) {
      const res = await small.request(`/api/districts?q=${encodeURIComponent(`word ${k}`)}`);
      expect(res.status).toBe(200);
      const s = responseCacheStats(small.pool);
      expect(s.bytes).toBeLessThanOrEqual(maxBytes);
    }
    const s = responseCacheStats(small.pool);
    expect(s.evicted).toBeGreaterThan(0);
    expect(s.entries).toBeGreaterThan(0);
  });
});
