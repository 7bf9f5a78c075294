import { existsSync, readFileSync } from 'node:fs';
import { Hono } from 'hono';
import type pg from 'pg';
import type { AppEnv, Deps } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { TileCache, type TileCacheOptions, type TileChangeSource } from '../tiles/cache.ts';
import { tileEncoder } from '../tiles/render.ts';
import { isValidTile, MAX_ZOOM } from '../tiles/tile-sql.ts';
import { renderBasemapTile } from './render.ts';
import { BASEMAP_LAYERS, BASEMAP_MAX_ZOOM, BASEMAP_MIN_ZOOM } from './tile-sql.ts';
import { sendTile } from '../tiles/send.ts';
import type { BasemapTileJson } from '../contract/tiles.ts';

/**
 * Browsers may reuse a base-map tile this long, then revalidate with its ETag: it changes only
 * when a city's extract is imported again.
 */
export const BASEMAP_MAX_AGE_S = 3600;

/** Paths in Hono's syntax (the last segment carries the extension). */
export const BASEMAP_TILE_PATH = '/basemap/:z/:x/:y{[^/]+\\.mvt}';
export const GLYPHS_PATH = '/basemap/fonts/:stack/:range{[^/]+\\.pbf}';
export const SPRITE_PATH = '/basemap/:sprite{sprite(@2x)?\\.(json|png)}';
export const TILEJSON_PATH = '/basemap.json';

/** The attribution OpenStreetMap's licence (ODbL) asks of a map made from its data. */
export const OSM_ATTRIBUTION = '© OpenStreetMap contributors';

/** The glyph ranges and the sprite, made by scripts/build-basemap-assets.ts and kept in the project. */
const ASSETS = new URL('./assets/', import.meta.url);
/** The font stacks that have glyphs (styles name them; client/src/map/fonts.ts). */
export const FONT_STACKS = ['Jardem Sans Regular', 'Jardem Sans Bold'] as const;
/** An empty glyph set for a range the font lacks: MapLibre draws nothing for those characters rather than failing the tile. */
const EMPTY_GLYPHS = new Uint8Array(0);

/**
 * The base map changes only with an import (any source, the demo's included): one cheap read of
 * the import log stands for a change counter, and any change empties the cache.
 */
export function importChanges(pool: pg.Pool): TileChangeSource {
  let last = '';
  return {
    version: async () => {
      const { rows } = await pool.query<{ v: string }>(
        `SELECT count(*)::text || ':' || coalesce(max(imported_at)::text, '') AS v FROM place_imports`,
      );
      return (last = rows[0].v);
    },
    recent: async () => [{ id: `import:${last}`, lng: null, lat: null }],
  };
}

function parseTile(z: string, x: string, y: string) {
  const tile = { z: Number(z), x: Number(x), y: Number(y.slice(0, -4)) };
  if (!/^\d{1,2}$/.test(z) || !/^\d{1,8}$/.test(x) || !/^\d{1,8}\.mvt$/.test(y) || !isValidTile(tile)) {
    throw badRequest(`No such tile: z must be 0–${MAX_ZOOM} and x, y 0 … 2^z − 1.`, [
      { path: 'z/x/y', message: `${tile.z}/${tile.x}/${tile.y} is outside the tile pyramid` },
    ]);
  }
  return tile;
}

/** A kept asset's bytes, read once. */
const assetCache = new Map<string, Uint8Array | null>();
function asset(path: string): Uint8Array | null {
  if (!assetCache.has(path)) {
    const url = new URL(path, ASSETS);
    assetCache.set(path, existsSync(url) ? new Uint8Array(readFileSync(url)) : null);
  }
  return assetCache.get(path)!;
}

/**
 * Where the base map's features come from: OpenStreetMap imports (every source but the demo's
 * writes base-map features only through `geodata:osm`) and the demo layout.
 */
async function basemapSources(pool: pg.Pool): Promise<{ osm: boolean; demo: boolean }> {
  const { rows } = await pool.query<{ source: string }>(
    `SELECT source FROM place_imports WHERE coalesce((counts->>'basemap')::int, 0) > 0 ORDER BY source`,
  );
  return { osm: rows.some((r) => r.source !== 'demo'), demo: rows.some((r) => r.source === 'demo') };
}

/**
 * The self-hosted base map, outside /api and public like the incident tiles:
 * - GET /tiles/basemap/{z}/{x}/{y}.mvt: layers water, parks, buildings (from zoom 14), rail,
 *   roads (class, name, name_kk, name_ru, name_en), places (labels); 204 when empty;
 * - GET /tiles/basemap/fonts/{fontstack}/{start}-{end}.pbf: SDF glyphs for MapLibre's `glyphs`;
 * - GET /tiles/basemap/sprite[@2x].{json,png}: the style's icons;
 * - GET /tiles/basemap.json: TileJSON 3.0 of the tiles, with the attribution the data asks for.
 */
export function basemapRoutes({ pool }: Deps, cacheOptions?: TileCacheOptions) {
  const cache = new TileCache(importChanges(pool), { ttlMs: 24 * 3600_000, ...cacheOptions });
  return new Hono<AppEnv>()
    .get(TILEJSON_PATH, async (c) => {
      const sources = await basemapSources(pool);
      c.header('Cache-Control', 'public, max-age=60');
      return c.json({
        tilejson: '3.0.0',
        name: 'Jardem base map',
        // Relative to this server: the client builds the absolute URL from its own origin.
        tiles: ['/tiles/basemap/{z}/{x}/{y}.mvt'],
        minzoom: BASEMAP_MIN_ZOOM,
        maxzoom: BASEMAP_MAX_ZOOM,
        attribution: sources.osm ? OSM_ATTRIBUTION : null,
        // The demo layout's synthetic streets are drawn: the client says so on the map.
        demo: sources.demo,
        vector_layers: BASEMAP_LAYERS.map((id) => ({
          id,
          fields: { class: 'String', name: 'String', name_kk: 'String', name_ru: 'String', name_en: 'String' },
        })),
      } satisfies BasemapTileJson);
    })
    .get(BASEMAP_TILE_PATH, async (c) => {
      const tile = parseTile(c.req.param('z'), c.req.param('x'), c.req.param('y'));
      const encoder = await tileEncoder(pool);
      const t0 = performance.now();
      const rendered = await cache.get(`${tile.z}/${tile.x}/${tile.y}|basemap`, () => renderBasemapTile(pool, tile, encoder));
      return sendTile(c, rendered, BASEMAP_MAX_AGE_S, t0, encoder);
    })
    .get(GLYPHS_PATH, (c) => {
      // MapLibre asks for the whole stack ("Jardem Sans Bold,Noto Sans Bold"); the first we have answers.
      const stack = c.req
        .param('stack')
        .split(',')
        .map((s) => s.trim())
        .find((s) => (FONT_STACKS as readonly string[]).includes(s));
      const range = /^(\d{1,5})-(\d{1,5})\.pbf$/.exec(c.req.param('range'));
      if (!stack) throw notFound('Font stack');
      if (!range || Number(range[1]) % 256 !== 0 || Number(range[2]) !== Number(range[1]) + 255 || Number(range[2]) > 65535) {
        throw badRequest('A glyph range is 256 code points from a multiple of 256, e.g. 0-255.pbf.');
      }
      const bytes = asset(`fonts/${stack}/${range[1]}-${range[2]}.pbf`) ?? EMPTY_GLYPHS;
      c.header('Cache-Control', 'public, max-age=86400');
      c.header('Content-Type', 'application/x-protobuf');
      return c.body(bytes as Uint8Array<ArrayBuffer>);
    })
    .get(SPRITE_PATH, (c) => {
      const name = c.req.param('sprite');
      const bytes = asset(name);
      if (!bytes) throw notFound('Sprite');
      c.header('Cache-Control', 'public, max-age=86400');
      c.header('Content-Type', name.endsWith('.json') ? 'application/json' : 'image/png');
      return c.body(bytes as Uint8Array<ArrayBuffer>);
    });
}
