import { Hono } from 'hono';
import { openCors } from '../open-cors.ts';
import { getCatalog } from '../catalog.ts';
import type { AppEnv, Deps } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { type IncidentFilter, IncidentFilterSchema } from '../incidents/filters.ts';
import { basemapRoutes } from '../basemap/routes.ts';
import { validQuery } from '../validate.ts';
import { databaseTileChanges, TileCache, type TileCacheOptions } from './cache.ts';
import { renderIncidentTile, tileEncoder } from './render.ts';
import { isValidTile, MAX_ZOOM } from './tile-sql.ts';
import { ifNoneMatchMet, sendTile } from './send.ts';
import { INCIDENTS_TILEJSON_PATH, incidentTileJson } from './tilejson.ts';
import { publicBase } from '../public-url.ts';

/** Browsers and proxies may reuse a tile this long, then revalidate with its ETag. */
export const TILE_MAX_AGE_S = 10;

/**
 * The path of an incident tile in Hono's syntax (y carries the extension): `.mvt`, or `.pbf` as
 * tile directories name them: GDAL's MVT driver opens `MVT:<base>/tiles/incidents/<z>` (a zoom
 * level of the tileset) with no option by reading `<base>/tiles/incidents.json` (the TileJSON, where
 * it looks for `<tileset>.json`) and fetching the tiles of that zoom as `<z>/<x>/<y>.pbf`.
 */
export const TILE_PATH = '/incidents/:z/:x/:y{[^/]+\\.(mvt|pbf)}';

/** Filters in one canonical order, so that equal filters share cache entries. */
export function filterKey(f: IncidentFilter): string {
  const entries = Object.entries(f)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, Array.isArray(v) && k !== 'bbox' ? [...v].sort() : v] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(entries);
}

/**
 * GET /tiles/incidents/{z}/{x}/{y}.mvt?<incident filters> (default: open appeals). Below zoom
 * 15 the layer `cells` holds grid cells with `count`, `overdue`, the dominant `sphere`, the
 * per-sphere `mix` ("code:n,code:n"), the heat `weight` and, for a cell of one appeal, its `id`;
 * from 15 on the layer `incidents` holds every appeal with id, number, category, sphere, status,
 * priority, overdue and weight. An empty tile is 204 No Content. Query parameters other than the
 * filters (the map's `v`, bumped on live changes so browsers fetch afresh) are ignored.
 */
export function tileRoutes(deps: Deps, cacheOptions?: TileCacheOptions) {
  const { pool, config } = deps;
  const cache = new TileCache(databaseTileChanges(pool), cacheOptions);
  return (
    new Hono<AppEnv>()
      .use('*', openCors({ allowMethods: ['GET', 'HEAD', 'OPTIONS'] }))
      // TileJSON 3.0.0 of the incident tiles (server/tiles/tilejson.ts): ETag, 304 on a match or `*`.
      .get(INCIDENTS_TILEJSON_PATH, async (c) => {
        const { doc, etag } = await incidentTileJson(pool, publicBase(c, config));
        c.header('ETag', etag);
        c.header('Cache-Control', 'public, max-age=60');
        if (ifNoneMatchMet(c.req.header('if-none-match'), etag)) return c.body(null, 304);
        return c.json(doc);
      })
      .get(TILE_PATH, validQuery(IncidentFilterSchema), async (c) => {
        const tile = { z: Number(c.req.param('z')), x: Number(c.req.param('x')), y: Number(c.req.param('y').slice(0, -4)) };
        if (
          !/^\d{1,2}$/.test(c.req.param('z')) ||
          !/^\d{1,8}$/.test(c.req.param('x')) ||
          !/^\d{1,8}\.(mvt|pbf)$/.test(c.req.param('y')) ||
          !isValidTile(tile)
        ) {
          throw badRequest(`No such tile: z must be 0–${MAX_ZOOM} and x, y 0 … 2^z − 1.`, [
            { path: 'z/x/y', message: `${tile.z}/${tile.x}/${tile.y} is outside the tile pyramid` },
          ]);
        }
        const query = c.req.valid('query');
        const filter: IncidentFilter = query.status ? query : { ...query, status: ['open'] };
        const [catalog, encoder] = await Promise.all([getCatalog(pool), tileEncoder(pool)]);
        const key = `${tile.z}/${tile.x}/${tile.y}|${filterKey(filter)}`;
        const t0 = performance.now();
        const rendered = await cache.get(key, () => renderIncidentTile(pool, catalog, filter, tile, encoder));
        return sendTile(c, rendered, TILE_MAX_AGE_S, t0, encoder);
      })
      // The self-hosted base map, its glyphs and sprite (server/basemap/).
      .route('/', basemapRoutes(deps))
      .all('*', () => {
        throw notFound('Tile layer or path');
      })
  );
}
