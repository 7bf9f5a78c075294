import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { describe, expect, it } from 'vitest';
import { invalidateTiles, renderedTile, TileCache, type TileChange, type TileChangeSource, tilesAround } from '../../server/tiles/cache.ts';
import { encodePointTile } from '../../server/tiles/encode.ts';
import { EXTENT, isValidTile } from '../../server/tiles/tile-sql.ts';
import { filterKey } from '../../server/tiles/routes.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('tile ids', () => {
  it('accepts the pyramid and nothing outside it', () => {
    expect(isValidTile({ z: 0, x: 0, y: 0 })).toBe(true);
    expect(isValidTile({ z: 12, x: 4095, y: 4095 })).toBe(true);
    expect(isValidTile({ z: 12, x: 4096, y: 0 })).toBe(false);
    expect(isValidTile({ z: 1, x: 0, y: -1 })).toBe(false);
    expect(isValidTile({ z: 23, x: 0, y: 0 })).toBe(false);
    expect(isValidTile({ z: 1.5, x: 0, y: 0 })).toBe(false);
  });

  it('keys equal filters alike whatever their order', () => {
    expect(filterKey({ status: ['open'], category: ['b', 'a'] })).toBe(filterKey({ category: ['a', 'b'], status: ['open'], q: undefined }));
    expect(filterKey({ status: ['open'] })).not.toBe(filterKey({ status: ['closed'] }));
  });
});

describe('JS tile encoder', () => {
  it('writes point layers that a vector tile reader reads back, ids and properties included, nulls left out', () => {
    const bytes = encodePointTile({
      incidents: [
        { id: 7, x: 10, y: 20, properties: { number: '109-2026-000007', priority: 2, overdue: true, sphere: null } },
        { id: 9, x: -30, y: 4100, properties: { number: '109-2026-000009', priority: 4, overdue: false, sphere: 'heating' } },
      ],
      empty: [],
    });
    const tile = new VectorTile(new PbfReader(bytes));
    expect(Object.keys(tile.layers)).toEqual(['incidents']);
    const layer = tile.layers.incidents;
    expect(layer.extent).toBe(EXTENT);
    expect(layer.version).toBe(2);
    const a = layer.feature(0);
    expect(a.id).toBe(7);
    expect(a.type).toBe(1);
    expect(a.properties).toEqual({ number: '109-2026-000007', priority: 2, overdue: true });
    expect(a.loadGeometry()[0][0]).toMatchObject({ x: 10, y: 20 });
    expect(layer.feature(1).loadGeometry()[0][0]).toMatchObject({ x: -30, y: 4100 });
    expect(layer.feature(1).properties.sphere).toBe('heating');
  });
});

describe('tile cache', () => {
  const bytes = (n: number) => new Uint8Array(n).fill(1);

  /** A change source the test moves by hand: the counter, and the changes "recorded" so far. */
  function source() {
    const s = { version: 1, changes: [] as TileChange[], reads: 0, recentReads: 0 };
    const src: TileChangeSource = {
      version: async () => (s.reads++, String(s.version)),
      recent: async () => (s.recentReads++, s.changes),
    };
    return { s, src };
  }
  const still: TileChangeSource = { version: async () => '1', recent: async () => [] };
  // Taraz centre, and a tile key at z12 that holds it and one that does not.
  const [lng, lat] = [71.378, 42.9];
  const here = tilesAround(lng, lat).find((t) => t.startsWith('12/'))!;
  const [hx, hy] = here.split('/').slice(1).map(Number);
  const far = `12/${hx + 5}/${hy}`;

  it('serves a hit, shares one render among concurrent requests, and gzips larger tiles', async () => {
    const cache = new TileCache(still);
    let renders = 0;
    const render = async () => {
      renders++;
      await sleep(10);
      return bytes(2000);
    };
    const [a, b] = await Promise.all([cache.get('1/0/0|f', render), cache.get('1/0/0|f', render)]);
    expect(renders).toBe(1);
    expect(a.cached).toBe(false);
    expect(b.etag).toBe(a.etag);
    expect(a.gzip!.byteLength).toBeLessThan(200);
    expect((await cache.get('1/0/0|f', render)).cached).toBe(true);
    expect(renders).toBe(1);
    cache.dispose();
  });

  it('drops only the tiles holding a changed position, at every zoom and for every filter', async () => {
    const { s, src } = source();
    const cache = new TileCache(src, { checkEveryMs: 20 });
    const z11 = tilesAround(lng, lat).find((t) => t.startsWith('11/'))!;
    for (const k of [`${here}|a`, `${here}|b`, `${far}|a`, '0/0/0|a', `${z11}|a`]) await cache.get(k, async () => bytes(10));
    s.version = 2;
    s.changes = [{ id: '1', lng, lat }];
    await sleep(30);
    const state = async (k: string) => (await cache.get(k, async () => bytes(10))).cached;
    expect(await state(`${far}|a`)).toBe(true);
    expect(await state(`${here}|a`)).toBe(false);
    expect(await state(`${here}|b`)).toBe(false);
    expect(await state('0/0/0|a')).toBe(false);
    expect(await state(`${z11}|a`)).toBe(false);
    // A change without a position empties the cache.
    s.version = 3;
    s.changes = [...s.changes, { id: '2', lng: null, lat: null }];
    await sleep(30);
    expect(await state(`${far}|a`)).toBe(false);
    cache.dispose();
  });

  it('keeps reading recorded changes for the settle time after the counter moved, each applied once', async () => {
    const { s, src } = source();
    const cache = new TileCache(src, { checkEveryMs: 10, settleMs: 80 });
    await cache.get(`${here}|a`, async () => bytes(10));
    s.version = 2; // a writer's statement ran ...
    await sleep(15);
    await cache.get(`${far}|a`, async () => bytes(10)); // ... the check sees no recorded change yet
    await cache.get(`${here}|a`, async () => bytes(10));
    expect((await cache.get(`${here}|a`, async () => bytes(10))).cached).toBe(true);
    s.changes = [{ id: '7', lng, lat }]; // ... and commits: the counter does not move again
    await sleep(15);
    expect((await cache.get(`${here}|a`, async () => bytes(10))).cached).toBe(false);
    await cache.get(`${here}|a`, async () => bytes(10));
    await sleep(15);
    // the same change is not applied twice
    expect((await cache.get(`${here}|a`, async () => bytes(10))).cached).toBe(true);
    // after the settle time nothing more is read until the counter moves
    await sleep(100);
    const reads = s.recentReads;
    await cache.get(`${far}|a`, async () => bytes(10));
    await sleep(15);
    await cache.get(`${far}|a`, async () => bytes(10));
    expect(s.recentReads).toBe(reads);
    cache.dispose();
  });

  it('does not keep a tile whose render began before a change was applied, nor after invalidateTiles()', async () => {
    const { s, src } = source();
    const cache = new TileCache(src, { checkEveryMs: 5 });
    await cache.get(`${far}|a`, async () => bytes(10));
    const slow = cache.get(`${far}|b`, async () => (await sleep(40), bytes(10)));
    await sleep(10);
    s.version = 2;
    s.changes = [{ id: '1', lng, lat }];
    await cache.get(`${here}|a`, async () => bytes(10)); // applies the change meanwhile
    await slow;
    expect((await cache.get(`${far}|b`, async () => bytes(10))).cached).toBe(false);
    expect((await cache.get(`${far}|b`, async () => bytes(10))).cached).toBe(true);
    invalidateTiles();
    expect((await cache.get(`${far}|b`, async () => bytes(10))).cached).toBe(false);
    cache.dispose();
  });

  it('drops the least recently used tiles beyond its byte budget and expires old ones', async () => {
    const cache = new TileCache(still, { maxBytes: 3 * (100 + 200), ttlMs: 40 });
    for (const k of ['a', 'b', 'c']) await cache.get(`1/0/0|${k}`, async () => bytes(100));
    await cache.get('1/0/0|a', async () => bytes(100)); // a is now the most recent
    await cache.get('1/0/0|d', async () => bytes(100)); // b goes
    expect(cache.size).toBe(3);
    expect((await cache.get('1/0/0|a', async () => bytes(100))).cached).toBe(true);
    expect((await cache.get('1/0/0|b', async () => bytes(100))).cached).toBe(false);
    await sleep(50);
    expect((await cache.get('1/0/0|a', async () => bytes(100))).cached).toBe(false);
    cache.dispose();
  });

  it('names the tiles around a position: one per zoom, and the neighbour whose buffer reaches it', () => {
    const tiles = tilesAround(lng, lat);
    for (let z = 0; z <= 22; z++) expect(tiles.filter((t) => t.startsWith(`${z}/`)).length).toBeGreaterThanOrEqual(1);
    // A point on the meridian 0 lies on tile edges at every zoom above 0: both sides hold it.
    const edge = tilesAround(0, 10);
    expect(edge).toContain('15/16383/' + edge.find((t) => t.startsWith('15/16384/'))!.split('/')[2]);
    expect(tilesAround(179.9999, 10).every((t) => Number(t.split('/')[1]) < 2 ** Number(t.split('/')[0]))).toBe(true);
  });

  it('marks an empty tile with a fixed ETag and no body', () => {
    expect(renderedTile(null)).toEqual({ body: null, gzip: null, etag: 'W/"empty"' });
    expect(renderedTile(new Uint8Array(0)).body).toBeNull();
  });
});
