import { VectorTile } from '@mapbox/vector-tile';
import type pg from 'pg';
import { PbfReader } from 'pbf';
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../server/catalog.ts';
import { purgeTileChanges } from '../../server/lifecycle/housekeeping.ts';
import { renderIncidentTile, tileEncoder } from '../../server/tiles/render.ts';
import { EXTENT } from '../../server/tiles/tile-sql.ts';
import { testApp } from '../helpers/app.ts';
import { tileOf } from '../helpers/tiles.ts';

const t = testApp();
// Appeals registered from now on (other test files create and move some) stay out of the
// comparisons: every tile below asks `to=until`, every SQL count `created_at < until`.
const until = new Date().toISOString();
const TO = `to=${encodeURIComponent(until)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const decode = (bytes: ArrayBuffer | Uint8Array) =>
  new VectorTile(new PbfReader(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)));

function features(tile: VectorTile, layer: string) {
  const l = tile.layers[layer];
  if (!l) return [];
  return Array.from({ length: l.length }, (_, i) => {
    const f = l.feature(i);
    const [[p]] = f.loadGeometry();
    return { id: f.id, properties: f.properties as Record<string, any>, x: p.x, y: p.y };
  });
}

async function getTile(path: string, init?: RequestInit) {
  const res = await t.request(path, init);
  return { res, tile: res.status === 200 ? decode(await res.arrayBuffer()) : null };
}

/** Open appeals (the tiles' default) with their z-tile, counted per tile by SQL. */
async function openByTile(z: number) {
  const { rows } = await t.pool.query<{ lng: number; lat: number }>(
    'SELECT ST_X(geom) AS lng, ST_Y(geom) AS lat FROM incidents WHERE is_open AND created_at < $1',
    [until],
  );
  const counts = new Map<string, number>();
  for (const r of rows) {
    const { x, y } = tileOf(r.lng, r.lat, z);
    counts.set(`${x}/${y}`, (counts.get(`${x}/${y}`) ?? 0) + 1);
  }
  return { total: rows.length, counts };
}

describe('GET /tiles/incidents/{z}/{x}/{y}.mvt', () => {
  it(`encodes with ${t.engine === 'pglite' ? 'the JS fallback (PGlite has no ST_AsMVT)' : 'PostGIS ST_AsMVT'}`, async () => {
    expect(await tileEncoder(t.pool)).toBe(t.engine === 'pglite' ? 'js' : 'postgis');
  });

  it('aggregates at zoom 12: cell counts add up to the open appeals in each tile, and over all tiles to every open appeal', async () => {
    const { total, counts } = await openByTile(12);
    expect(total).toBeGreaterThan(0);
    let sum = 0;
    for (const [xy, expected] of counts) {
      const { res, tile } = await getTile(`/tiles/incidents/12/${xy}.mvt?${TO}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
      const cells = features(tile!, 'cells');
      expect(tile!.layers.cells.extent).toBe(EXTENT);
      const n = cells.reduce((a, c) => a + c.properties.count, 0);
      // The envelope as PostGIS computes it agrees with the count in the tile.
      const [x, y] = xy.split('/').map(Number);
      const { rows } = await t.pool.query(
        `SELECT count(*)::int AS n FROM incidents
          WHERE is_open AND created_at < $3 AND ST_Intersects(ST_Transform(geom, 3857), ST_TileEnvelope(12, $1, $2))`,
        [x, y, until],
      );
      expect(n).toBe(rows[0].n);
      expect(n).toBe(expected);
      for (const c of cells) {
        expect(c.properties.count).toBeGreaterThan(0);
        expect(c.properties.overdue).toBeLessThanOrEqual(c.properties.count);
        expect(typeof c.properties.sphere).toBe('string');
        expect(c.x >= 0 && c.x <= EXTENT && c.y >= 0 && c.y <= EXTENT).toBe(true);
      }
      expect(tile!.layers.incidents).toBeUndefined();
      sum += n;
    }
    expect(sum).toBe(total);
  });

  it('gives each cell its sphere mix, heat weight and, for a single appeal, its id: the mix adds up to the SQL counts per sphere', async () => {
    const { counts } = await openByTile(12);
    const [xy] = [...counts].sort((a, b) => b[1] - a[1])[0];
    const [x, y] = xy.split('/').map(Number);
    const { tile } = await getTile(`/tiles/incidents/12/${xy}.mvt?${TO}`);
    const cells = features(tile!, 'cells');
    const bySphere: Record<string, number> = {};
    let singles = 0;
    for (const c of cells) {
      const { count, mix, weight, id, sphere } = c.properties;
      const parts = (mix as string).split(',').map((p) => p.split(':'));
      const ns = parts.map(([, n]) => Number(n));
      expect(ns.reduce((a, b) => a + b, 0)).toBe(count);
      // most first, and the first is the dominant sphere
      expect([...ns].sort((a, b) => b - a)).toEqual(ns);
      expect(parts[0][0]).toBe(sphere);
      for (const [code, n] of parts) bySphere[code] = (bySphere[code] ?? 0) + Number(n);
      expect(weight).toBeGreaterThanOrEqual(count);
      expect(weight).toBeLessThanOrEqual(count * 16);
      if (count === 1) {
        singles++;
        expect(Number.isInteger(id) && id > 0).toBe(true);
      } else expect(id).toBeUndefined();
    }
    const { rows } = await t.pool.query(
      `SELECT s.code, count(*)::int AS n FROM incidents i JOIN categories c ON c.id = i.category_id JOIN categories s ON s.id = c.sphere_id
        WHERE i.is_open AND i.created_at < $3 AND ST_Intersects(ST_Transform(i.geom, 3857), ST_TileEnvelope(12, $1, $2)) GROUP BY s.code`,
      [x, y, until],
    );
    expect(bySphere).toEqual(Object.fromEntries(rows.map((r) => [r.code, r.n])));
    // a single cell's id names an open appeal inside that tile
    // The busiest tile of the demo city has cells of one appeal; each names an open appeal in it.
    expect(singles).toBeGreaterThan(0);
    for (const single of cells.filter((c) => c.properties.count === 1)) {
      const { rows: one } = await t.pool.query(
        `SELECT ST_Intersects(ST_Transform(geom, 3857), ST_TileEnvelope(12, $1, $2)) AS inside, is_open FROM incidents WHERE id = $3`,
        [x, y, single.properties.id],
      );
      expect(one[0]).toEqual({ inside: true, is_open: true });
    }
  });

  it('carries every appeal from zoom 15: a z15 tile holds a known appeal with its properties at its place', async () => {
    const { rows } = await t.pool.query(
      `SELECT i.id, i.number, c.code AS category, i.status, i.priority, ST_X(i.geom) AS lng, ST_Y(i.geom) AS lat
         FROM incidents i JOIN categories c ON c.id = i.category_id WHERE i.is_open ORDER BY i.id LIMIT 1`,
    );
    const inc = rows[0];
    const { x, y } = tileOf(inc.lng, inc.lat, 15);
    const { res, tile } = await getTile(`/tiles/incidents/15/${x}/${y}.mvt`);
    expect(res.status).toBe(200);
    const found = features(tile!, 'incidents').find((f) => f.properties.number === inc.number);
    expect(found).toBeDefined();
    expect(found!.id).toBe(inc.id);
    expect(found!.properties).toMatchObject({
      id: inc.id,
      category: inc.category,
      status: inc.status,
      priority: inc.priority,
      overdue: expect.any(Boolean),
      weight: expect.any(Number),
    });
    expect(typeof found!.properties.sphere).toBe('string');
    // Its position: the fraction of the tile times the extent, within a unit of rounding.
    const n = 2 ** 15;
    const rad = (inc.lat * Math.PI) / 180;
    const fx = ((inc.lng + 180) / 360) * n - x;
    const fy = ((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n - y;
    expect(Math.abs(found!.x - fx * EXTENT)).toBeLessThanOrEqual(1);
    expect(Math.abs(found!.y - fy * EXTENT)).toBeLessThanOrEqual(1);
    // Only open appeals by default; other statuses on request.
    for (const f of features(tile!, 'incidents')) expect(['closed', 'rejected']).not.toContain(f.properties.status);
  });

  it('applies the incident filters (status, category)', async () => {
    const { rows } = await t.pool.query(
      `SELECT ST_X(i.geom) AS lng, ST_Y(i.geom) AS lat FROM incidents i JOIN categories c ON c.id = i.category_id
         JOIN categories s ON s.id = c.sphere_id WHERE i.status = 'closed' AND s.code = 'heating' AND i.created_at < $1`,
      [until],
    );
    expect(rows.length).toBeGreaterThan(0);
    const { x, y } = tileOf(rows[0].lng, rows[0].lat, 11);
    const expected = rows.filter((r) => {
      const p = tileOf(r.lng, r.lat, 11);
      return p.x === x && p.y === y;
    }).length;
    const { tile } = await getTile(`/tiles/incidents/11/${x}/${y}.mvt?status=closed&category=heating&${TO}`);
    const cells = features(tile!, 'cells');
    expect(cells.reduce((a, c) => a + c.properties.count, 0)).toBe(expected);
    for (const c of cells) expect(c.properties.sphere).toBe('heating');
  });

  it('answers 204 for an empty tile, 400 outside the pyramid or for a bad filter, 404 for another path', async () => {
    expect((await t.request('/tiles/incidents/12/0/0.mvt')).status).toBe(204);
    for (const p of ['12/4096/0', '12/0/4096', '23/0/0', '-1/0/0', '1/0/-1', 'a/0/0', '999/0/0']) {
      const res = await t.request(`/tiles/incidents/${p}.mvt`);
      expect(res.status, p).toBe(400);
      expect((await res.json()).error.code).toBe('bad_request');
    }
    const bad = await t.request('/tiles/incidents/12/0/0.mvt?status=lost');
    expect(bad.status).toBe(400);
    expect((await t.request('/tiles/incidents/12/0/0.png')).status).toBe(404);
    expect((await t.request('/tiles/other/12/0/0.mvt')).status).toBe(404);
  });

  it('sends an ETag with a short max-age, answers 304 to If-None-Match, and serves gzip to clients that take it', async () => {
    const { counts } = await openByTile(12);
    const [xy] = [...counts.keys()];
    const first = await t.request(`/tiles/incidents/12/${xy}.mvt`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/".+"$/);
    expect(first.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const again = await t.request(`/tiles/incidents/12/${xy}.mvt`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    // The busiest tile over every status is well past the size from which tiles are compressed.
    const busiest = [...counts].sort((a, b) => b[1] - a[1])[0][0];
    const gzUrl = `/tiles/incidents/12/${busiest}.mvt?status=open,closed,resolved`;
    const gz = await t.request(gzUrl, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.headers.get('vary')?.toLowerCase()).toContain('accept-encoding');
    const { gunzipSync } = await import('node:zlib');
    const unzipped = decode(gunzipSync(Buffer.from(await gz.arrayBuffer())));
    expect(unzipped.layers.cells.length).toBeGreaterThan(0);
    // A client that does not take gzip gets the same tile uncompressed.
    const plain = await t.request(gzUrl);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(decode(await plain.arrayBuffer()).layers.cells.length).toBe(unzipped.layers.cells.length);
  });

  it('keeps a tile cached through changes elsewhere and drops it for a change inside it', async () => {
    const { counts } = await openByTile(12);
    const [xy] = counts.keys();
    const [x, y] = xy.split('/').map(Number);
    const url = `/tiles/incidents/12/${xy}.mvt?type=complaint,incident,problem,service_request,information_request`;
    const { rows } = await t.pool.query<{ lng: number; lat: number }>(
      `SELECT ST_X(geom) AS lng, ST_Y(geom) AS lat FROM incidents
        WHERE is_open AND ST_Intersects(ST_Transform(geom, 3857), ST_TileEnvelope(12, $1, $2)) LIMIT 1`,
      [x, y],
    );
    const inside = rows[0];
    // A change as the triggers record it (migration 013), and a statement that moves the change
    // counter without touching a row (so other test files see no live event).
    const change = async (lng: number, lat: number) => {
      await t.pool.query('INSERT INTO incident_tile_changes (lng, lat) VALUES ($1, $2)', [lng, lat]);
      await t.pool.query('UPDATE incidents SET updated_at = updated_at WHERE false');
    };
    const cached = async () => (await t.request(url)).headers.get('x-tile-cache') === 'hit';
    // Other test files write incidents meanwhile, some of them maybe in this tile: try again.
    let kept = false;
    for (let i = 0; i < 10 && !kept; i++) {
      await t.request(url);
      if (!(await cached())) {
        await sleep(300);
        continue;
      }
      await change(inside.lng + 0.5, inside.lat);
      await sleep(1100);
      kept = await cached();
    }
    expect(kept).toBe(true);
    await change(inside.lng, inside.lat);
    await sleep(1100);
    expect(await cached()).toBe(false);
  });

  it('records the positions a write touches: new, moved from, deleted; a bulk statement as everywhere', async () => {
    const db = await t.pool.connect();
    try {
      await db.query('BEGIN');
      const mark = (await db.query<{ id: string }>(`SELECT coalesce(max(id), 0)::text AS id FROM incident_tile_changes`)).rows[0].id;
      const since = async () =>
        (
          await db.query<{ lng: number | null; lat: number | null }>(
            'SELECT lng, lat FROM incident_tile_changes WHERE id > $1 ORDER BY id',
            [mark],
          )
        ).rows;
      const [{ id }] = (
        await db.query<{ id: string }>(
          `INSERT INTO incidents (number, type, category_id, channel, status, priority, description, geom, due_at)
           VALUES ('TC-1', 'complaint', (SELECT min(id) FROM categories WHERE depth = 2), 'web', 'new', 3, 'x',
                   ST_SetSRID(ST_MakePoint(71.39, 42.90), 4326), now() + interval '1 day') RETURNING id`,
        )
      ).rows;
      await db.query(`UPDATE incidents SET geom = ST_SetSRID(ST_MakePoint(71.31, 42.88), 4326) WHERE id = $1`, [id]);
      await db.query(`UPDATE incidents SET priority = 1 WHERE id = $1`, [id]);
      await db.query(`DELETE FROM incidents WHERE id = $1`, [id]);
      expect(await since()).toEqual([
        { lng: 71.39, lat: 42.9 },
        { lng: 71.31, lat: 42.88 },
        { lng: 71.39, lat: 42.9 },
        { lng: 71.31, lat: 42.88 },
        { lng: 71.31, lat: 42.88 },
      ]);
      // Housekeeping drops what is older than an hour and keeps the rest.
      await db.query(`INSERT INTO incident_tile_changes (at, lng, lat) VALUES (now() - interval '2 hours', 1, 1)`);
      expect(await purgeTileChanges(db as unknown as pg.Pool)).toBeGreaterThanOrEqual(1);
      expect((await since()).filter((r) => r.lng === 1)).toEqual([]);
      expect(await since()).toHaveLength(5);
      // A statement touching more appeals than the limit records "everywhere", once.
      await db.query(`CREATE OR REPLACE FUNCTION incident_tile_changes_limit() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 2'`);
      await db.query(`UPDATE incidents SET priority = priority WHERE id IN (SELECT id FROM incidents ORDER BY id LIMIT 3)`);
      expect((await since()).slice(5)).toEqual([{ lng: null, lat: null }]);
      await db.query(`UPDATE incidents SET priority = priority WHERE id IN (SELECT id FROM incidents ORDER BY id LIMIT 2)`);
      expect(await since()).toHaveLength(8);
      await db.query(`SET LOCAL jardem.bulk_load = 'on'`);
      await db.query(`UPDATE incidents SET priority = priority WHERE id IN (SELECT id FROM incidents LIMIT 3)`);
      expect((await since()).at(-1)).toEqual({ lng: null, lat: null });
    } finally {
      await db.query('ROLLBACK');
      db.release();
    }
  });

  it('draws the same features with ST_AsMVT as with the JS fallback (PGlite: only the fallback can draw)', async () => {
    const catalog = await getCatalog(t.pool);
    if (t.engine === 'pglite') {
      const [xy] = (await openByTile(15)).counts.keys();
      const [x, y] = xy.split('/').map(Number);
      const filter = { status: ['open'] as any, to: until };
      await expect(renderIncidentTile(t.pool, catalog, filter, { z: 15, x, y }, 'postgis')).rejects.toThrow(/st_asmvt|protobuf/i);
      expect(await renderIncidentTile(t.pool, catalog, filter, { z: 15, x, y }, 'js')).toBeTruthy();
      return;
    }
    const { counts } = await openByTile(15);
    const tiles = [
      ...[...counts.keys()].slice(0, 5).map((xy) => `15/${xy}`),
      ...[...(await openByTile(11)).counts.keys()].slice(0, 3).map((xy) => `11/${xy}`),
    ];
    for (const id of tiles) {
      const [z, x, y] = id.split('/').map(Number);
      for (const filter of [
        { status: ['open'] as any, to: until },
        { status: ['closed'] as any, type: ['complaint'] as any, to: until },
      ]) {
        const native = await renderIncidentTile(t.pool, catalog, filter, { z, x, y }, 'postgis');
        const js = await renderIncidentTile(t.pool, catalog, filter, { z, x, y }, 'js');
        expect(Boolean(native), id).toBe(Boolean(js));
        if (!native || !js) continue;
        const a = decode(native);
        const b = decode(js);
        expect(Object.keys(a.layers)).toEqual(Object.keys(b.layers));
        for (const layer of Object.keys(a.layers)) {
          const fa = features(a, layer);
          const fb = features(b, layer);
          expect(fb.length, `${id} ${layer}`).toBe(fa.length);
          fa.forEach((f, i) => {
            expect(fb[i].id).toBe(f.id);
            // the heat weight grows with age (now()), read a moment apart on the two paths
            const { weight: wa, ...pa } = f.properties;
            const { weight: wb, ...pb } = fb[i].properties;
            expect(pb).toEqual(pa);
            expect(Math.abs(wb - wa)).toBeLessThan(0.05 + 1e-6 * wa);
            expect(Math.abs(fb[i].x - f.x)).toBeLessThanOrEqual(1);
            expect(Math.abs(fb[i].y - f.y)).toBeLessThanOrEqual(1);
          });
        }
      }
    }
  });
});
