import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { describe, expect, it } from 'vitest';
import { invalidateTiles, renderedTile, TileCache } from '../../server/tiles/cache.ts';
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

  it('serves a hit, shares one render among concurrent requests, and gzips larger tiles', async () => {
    const cache = new TileCache(async () => '1', { settleMs: 0 });
    let renders = 0;
    const render = async () => {
      renders++;
      await sleep(10);
      return bytes(2000);
    };
    const [a, b] = await Promise.all([cache.get('k', render), cache.get('k', render)]);
    expect(renders).toBe(1);
    expect(a.cached).toBe(false);
    expect(b.etag).toBe(a.etag);
    expect(a.gzip!.byteLength).toBeLessThan(200);
    expect((await cache.get('k', render)).cached).toBe(true);
    expect(renders).toBe(1);
    cache.dispose();
  });

  it('empties itself when the change counter moves (read at most once per interval)', async () => {
    let version = 1;
    let reads = 0;
    const cache = new TileCache(
      async () => {
        reads++;
        return String(version);
      },
      { checkEveryMs: 30, settleMs: 0 },
    );
    await cache.get('k', async () => bytes(10));
    expect((await cache.get('k', async () => bytes(10))).cached).toBe(true);
    expect(reads).toBe(1);
    version = 2;
    expect((await cache.get('k', async () => bytes(10))).cached).toBe(true); // not read again yet
    await sleep(40);
    expect((await cache.get('k', async () => bytes(10))).cached).toBe(false);
    expect(reads).toBe(2);
    cache.dispose();
  });

  it('does not keep tiles rendered while a change settles, nor after invalidateTiles()', async () => {
    const cache = new TileCache(async () => '1', { settleMs: 50 });
    await cache.get('k', async () => bytes(10));
    expect((await cache.get('k', async () => bytes(10))).cached).toBe(true);
    invalidateTiles();
    expect((await cache.get('k', async () => bytes(10))).cached).toBe(false);
    expect((await cache.get('k', async () => bytes(10))).cached).toBe(false); // still settling
    await sleep(60);
    await cache.get('k', async () => bytes(10));
    expect((await cache.get('k', async () => bytes(10))).cached).toBe(true);
    cache.dispose();
  });

  it('drops the least recently used tiles beyond its byte budget and expires old ones', async () => {
    const cache = new TileCache(async () => '1', { settleMs: 0, maxBytes: 3 * (100 + 200), ttlMs: 40 });
    for (const k of ['a', 'b', 'c']) await cache.get(k, async () => bytes(100));
    await cache.get('a', async () => bytes(100)); // a is now the most recent
    await cache.get('d', async () => bytes(100)); // b goes
    expect(cache.size).toBe(3);
    expect((await cache.get('a', async () => bytes(100))).cached).toBe(true);
    expect((await cache.get('b', async () => bytes(100))).cached).toBe(false);
    await sleep(50);
    expect((await cache.get('a', async () => bytes(100))).cached).toBe(false);
    cache.dispose();
  });

  it('marks an empty tile with a fixed ETag and no body', () => {
    expect(renderedTile(null)).toEqual({ body: null, gzip: null, etag: 'W/"empty"' });
    expect(renderedTile(new Uint8Array(0)).body).toBeNull();
  });
});
