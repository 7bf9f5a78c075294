import { VectorTile, type VectorTileFeature } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { afterAll, describe, expect, it } from 'vitest';
import { renderBasemapTile } from '../../server/basemap/render.ts';
import { withTransaction } from '../../server/db/pool.ts';
import { importOsm } from '../../server/places/osm.ts';
import { removeSource } from '../../server/places/store.ts';
import { tileEncoder } from '../../server/tiles/render.ts';
import { BUFFER, EXTENT } from '../../server/tiles/tile-sql.ts';
import { testApp } from '../helpers/app.ts';
import { sharedData } from '../helpers/shared-data.ts';
import { tileOf } from '../helpers/tiles.ts';

// The test database is the demo Taraz (its base map is the demo street layout, source 'demo');
// Liechtenstein's real OpenStreetMap extract (2013-08-03, ODbL) is imported below for real
// buildings, water and parks, then removed.
const t = testApp();
const PBF = sharedData('osm/liechtenstein-2013-08-03.osm.pbf');
const SOURCE = 'test-basemap-li';
/** Vaduz, the Städtle (Liechtenstein's centre): [lng, lat]. */
const VADUZ = [9.5215, 47.1395] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  await withTransaction(t.pool, (c) => removeSource(c, SOURCE));
});

const path = ({ z, x, y }: { z: number; x: number; y: number }) => `/tiles/basemap/${z}/${x}/${y}.mvt`;
const decode = (bytes: ArrayBuffer | Uint8Array) =>
  new VectorTile(new PbfReader(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)));

function features(tile: VectorTile, layer: string): VectorTileFeature[] {
  const l = tile.layers[layer];
  return l ? Array.from({ length: l.length }, (_, i) => l.feature(i)) : [];
}

async function getTile(p: string, init?: RequestInit) {
  const res = await t.request(p, init);
  return { res, tile: res.status === 200 ? decode(await res.arrayBuffer()) : null };
}

/** A demo avenue's middle: the roads of the demo layout are two-point lines. */
async function demoAvenue() {
  const { rows } = await t.pool.query<{ lng: number; lat: number; names: Record<string, string> }>(
    `SELECT ST_X(ST_LineInterpolatePoint(geom, 0.5)) AS lng, ST_Y(ST_LineInterpolatePoint(geom, 0.5)) AS lat, names
       FROM basemap_features WHERE source = 'demo' AND layer = 'roads' AND names->>'kk' = 'Төле би даңғылы' ORDER BY id LIMIT 1`,
  );
  expect(rows).toHaveLength(1);
  return rows[0];
}

describe('GET /tiles/basemap/{z}/{x}/{y}.mvt over the demo city', () => {
  it(`encodes with ${t.engine === 'pglite' ? 'the JS encoder (PGlite has no ST_AsMVT)' : 'PostGIS ST_AsMVT'}`, async () => {
    expect(await tileEncoder(t.pool)).toBe(t.engine === 'pglite' ? 'js' : 'postgis');
  });

  it('carries the demo streets with their Kazakh, Russian and English names at z15', async () => {
    const a = await demoAvenue();
    expect(a.names).toMatchObject({ ru: 'пр. Толе би', kk: 'Төле би даңғылы', en: 'Tole bi Avenue' });
    const { res, tile } = await getTile(path(tileOf(a.lng, a.lat, 15)));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
    const roads = features(tile!, 'roads');
    const avenue = roads.find((f) => f.properties.name_kk === 'Төле би даңғылы');
    expect(avenue?.properties).toMatchObject({ class: 'primary', name: 'пр. Толе би', name_ru: 'пр. Толе би', name_en: 'Tole bi Avenue' });
    expect(avenue!.type).toBe(2);
    expect(tile!.layers.roads.extent).toBe(EXTENT);
    // Clipped to the tile and its buffer.
    for (const ring of avenue!.loadGeometry()) {
      for (const p of ring) {
        expect(p.x).toBeGreaterThanOrEqual(-BUFFER);
        expect(p.x).toBeLessThanOrEqual(EXTENT + BUFFER);
        expect(p.y).toBeGreaterThanOrEqual(-BUFFER);
        expect(p.y).toBeLessThanOrEqual(EXTENT + BUFFER);
      }
    }
    // Every named road carries its three names.
    for (const r of roads.filter((f) => f.properties.name))
      expect(Object.keys(r.properties)).toEqual(expect.arrayContaining(['name_kk', 'name_ru', 'name_en']));
  });

  it('draws buildings only from zoom 14, and lanes only at street zoom', async () => {
    const a = await demoAvenue();
    const z13 = (await getTile(path(tileOf(a.lng, a.lat, 13)))).tile!;
    expect(features(z13, 'roads').length).toBeGreaterThan(0);
    expect(z13.layers.buildings).toBeUndefined();
    expect(features(z13, 'roads').some((f) => f.properties.class === 'service')).toBe(false);
    const z14 = (await getTile(path(tileOf(a.lng, a.lat, 14)))).tile!;
    const buildings = features(z14, 'buildings');
    expect(buildings.length).toBeGreaterThan(10);
    expect(buildings.every((f) => f.type === 3)).toBe(true);
    // The main roads show from zoom 8 (the whole city on a screen), the district streets from 11.
    const z10 = (await getTile(path(tileOf(a.lng, a.lat, 10)))).tile!;
    const classes = new Set(features(z10, 'roads').map((f) => f.properties.class));
    expect([...classes]).toEqual(['primary']);
  });

  it('answers 204 for a tile with nothing in it (the Pacific) and below zoom 6', async () => {
    expect((await t.request(path(tileOf(-150, 0, 15)))).status).toBe(204);
    expect((await t.request(path(tileOf(71.4, 42.9, 5)))).status).toBe(204);
  });

  it('refuses query parameters and tiles outside the pyramid (400, the JSON error shape)', async () => {
    const a = await demoAvenue();
    const unknown = await t.json(`${path(tileOf(a.lng, a.lat, 15))}?lang=kk`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('unknown_parameter');
    for (const p of ['/tiles/basemap/23/0/0.mvt', '/tiles/basemap/3/8/0.mvt', '/tiles/basemap/3/x/0.mvt']) {
      const r = await t.json(p);
      expect(r.status, p).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
    }
  });

  it('caches: ETag and an hour of max-age, a second request from memory, 304 for the same ETag', async () => {
    const a = await demoAvenue();
    const p = path(tileOf(a.lng, a.lat, 16));
    const first = await t.request(p);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('public, max-age=3600');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/"/);
    const second = await t.request(p);
    expect(second.headers.get('x-tile-cache')).toBe('hit');
    expect(second.headers.get('etag')).toBe(etag);
    expect((await t.request(p, { headers: { 'if-none-match': etag! } })).status).toBe(304);
    const gz = await t.request(p, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
  });
});

describe('GET /tiles/basemap over a real OpenStreetMap import (Liechtenstein)', () => {
  const vaduz15 = path(tileOf(VADUZ[0], VADUZ[1], 15));

  it('is empty before the import and shows it after, without a restart (the cache follows imports)', async () => {
    expect((await t.request(vaduz15)).status).toBe(204);
    // Only the demo is drawn: no OpenStreetMap attribution yet.
    expect((await t.json('/tiles/basemap.json')).body).toMatchObject({ attribution: null, demo: true });
    await withTransaction(t.pool, (c) => importOsm(c, PBF, { source: SOURCE }));
    // The cache reads the import log at most once a second.
    await sleep(1100);
    const { res, tile } = await getTile(vaduz15);
    expect(res.status).toBe(200);
    const roads = features(tile!, 'roads');
    expect(roads.map((f) => f.properties.name)).toContain('Städtle');
    const buildings = features(tile!, 'buildings');
    const { x, y } = tileOf(VADUZ[0], VADUZ[1], 15);
    const { rows } = await t.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM basemap_features
        WHERE source = $1 AND layer = 'buildings' AND ST_Intersects(ST_Transform(geom, 3857), ST_TileEnvelope(15, $2, $3))`,
      [SOURCE, x, y],
    );
    expect(rows[0].n).toBeGreaterThan(0);
    // Every building in the tile, and those in its buffer.
    expect(buildings.length).toBeGreaterThanOrEqual(rows[0].n);
    // Polygons are wound as MVT wants: each decodes into rings whose first (the exterior) has positive area.
    for (const b of buildings) {
      const rings = b.loadGeometry();
      let area = 0;
      const r = rings[0];
      for (let i = 0, j = r.length - 1; i < r.length; j = i++) area += r[j].x * r[i].y - r[i].x * r[j].y;
      expect(area).toBeGreaterThan(0);
    }
  }, 120_000);

  it('says in its TileJSON whose data it draws: OpenStreetMap with its attribution, and the demo layout', async () => {
    const tj = await t.json('/tiles/basemap.json');
    expect(tj.status).toBe(200);
    expect(tj.body).toMatchObject({
      tilejson: '3.0.0',
      tiles: ['/tiles/basemap/{z}/{x}/{y}.mvt'],
      attribution: '© OpenStreetMap contributors',
      demo: true,
    });
    expect(tj.body.vector_layers.map((l: { id: string }) => l.id)).toContain('roads');
  });

  it('keeps the names as the extract gives them: a name:* only where the source has it', async () => {
    const { tile } = await getTile(path(tileOf(VADUZ[0], VADUZ[1], 14)));
    const roads = features(tile!, 'roads').filter((f) => f.properties.name);
    expect(roads.length).toBeGreaterThan(10);
    const { rows } = await t.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM basemap_features WHERE source = $1 AND layer = 'roads' AND names ? 'ru'`,
      [SOURCE],
    );
    // Liechtenstein's roads of 2013 have no Russian names: the field is absent, the style falls back to `name`.
    expect(rows[0].n).toBe(0);
    expect(roads.every((f) => f.properties.name_ru === undefined)).toBe(true);
  });

  it('keeps to the main roads at z12 and draws every lane and footway at z15', async () => {
    const z12 = decode((await renderBasemapTile(t.pool, tileOf(VADUZ[0], VADUZ[1], 12), await tileEncoder(t.pool)))!);
    const classes = new Set(features(z12, 'roads').map((f) => f.properties.class));
    expect(classes.has('footway')).toBe(false);
    expect(classes.has('residential')).toBe(false);
    expect(classes.has('primary') || classes.has('secondary')).toBe(true);
    const z15 = decode((await renderBasemapTile(t.pool, tileOf(VADUZ[0], VADUZ[1], 15), await tileEncoder(t.pool)))!);
    expect(features(z15, 'roads').some((f) => ['footway', 'path', 'service', 'residential'].includes(String(f.properties.class)))).toBe(
      true,
    );
  });

  it('draws the same features with the JS encoder as with ST_AsMVT (PGlite, without ST_AsMVT, draws with the JS encoder)', async () => {
    if (t.engine === 'pglite') {
      expect(await tileEncoder(t.pool)).toBe('js');
      await expect(renderBasemapTile(t.pool, tileOf(VADUZ[0], VADUZ[1], 15), 'postgis')).rejects.toThrow();
      return;
    }
    for (const z of [13, 15]) {
      const tile = tileOf(VADUZ[0], VADUZ[1], z);
      const [pg, js] = [
        decode((await renderBasemapTile(t.pool, tile, 'postgis'))!),
        decode((await renderBasemapTile(t.pool, tile, 'js'))!),
      ];
      expect(Object.keys(js.layers).sort()).toEqual(Object.keys(pg.layers).sort());
      for (const layer of Object.keys(pg.layers)) {
        const names = (v: VectorTile) =>
          features(v, layer)
            .map((f) => `${f.properties.class}|${f.properties.name ?? ''}`)
            .sort();
        // ST_AsMVTGeom drops what collapses below a unit; the JS path drops it too, by the same snapping.
        expect(Math.abs(names(js).length - names(pg).length), `${layer} at z${z}`).toBeLessThanOrEqual(Math.ceil(names(pg).length * 0.02));
        expect(new Set(names(js))).toEqual(new Set(names(pg)));
      }
    }
  });
});

describe('glyphs and sprite of the base map', () => {
  it('serves SDF glyphs of the Kazakh letters for the style fonts, an empty range for what the font lacks', async () => {
    const res = await t.request('/tiles/basemap/fonts/Jardem%20Sans%20Bold,Noto%20Sans%20Bold/1024-1279.pbf');
    expect(res.status).toBe(200);
    const pbf = new PbfReader(new Uint8Array(await res.arrayBuffer()));
    const ids: number[] = [];
    // glyphs.proto: message glyphs { repeated fontstack stacks = 1; } fontstack { name = 1; range = 2; repeated glyph glyphs = 3; } glyph { id = 1; ... }
    pbf.readFields((tag, _, p) => {
      if (tag !== 1) return;
      p.readMessage((t2, __, p2) => {
        if (t2 === 3) {
          p2.readMessage((t3, ___, p3) => {
            if (t3 === 1) ids.push(p3.readVarint());
          }, undefined);
        }
      }, undefined);
    }, undefined);
    for (const c of 'әғқңөұүһіЖ') expect(ids, c).toContain(c.codePointAt(0));
    const empty = await t.request('/tiles/basemap/fonts/Jardem%20Sans%20Regular/19968-20223.pbf');
    expect(empty.status).toBe(200);
    expect((await t.request('/tiles/basemap/fonts/Comic%20Sans/0-255.pbf')).status).toBe(404);
    expect((await t.request('/tiles/basemap/fonts/Jardem%20Sans%20Regular/1-300.pbf')).status).toBe(400);
  });

  it('serves the sprite index and image at 1× and 2×', async () => {
    for (const s of ['sprite', 'sprite@2x']) {
      const index = await t.json(`/tiles/basemap/${s}.json`);
      expect(index.status).toBe(200);
      expect(Object.keys(index.body).length).toBeGreaterThan(0);
      const png = await t.request(`/tiles/basemap/${s}.png`);
      expect(png.headers.get('content-type')).toBe('image/png');
      expect(new Uint8Array(await png.arrayBuffer()).slice(1, 4)).toEqual(new TextEncoder().encode('PNG'));
    }
  });
});
