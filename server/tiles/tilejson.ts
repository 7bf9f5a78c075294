import { createHash } from 'node:crypto';
import type pg from 'pg';
import { CELL_LAYER, MAX_ZOOM, POINT_LAYER, POINT_MIN_ZOOM } from './tile-sql.ts';
import type { IncidentsTileJson } from '../contract/tiles.ts';

/** Where the TileJSON of the incident tiles is served (under /tiles). */
export const INCIDENTS_TILEJSON_PATH = '/incidents.json';

/** Attribution of the incident layer: the appeals are the city's own open data. */
const ATTRIBUTION = 'Appeals: the city’s 109 centre (Jardem)';

/**
 * The fields of each layer of an incident tile, in TileJSON's words (`String`, `Number`,
 * `Boolean`), as server/tiles/tile-sql.ts writes them. Below POINT_MIN_ZOOM the grid cells,
 * from it on every appeal.
 */
export const INCIDENT_VECTOR_LAYERS: IncidentsTileJson['vector_layers'] = [
  {
    id: CELL_LAYER,
    description: 'Appeals counted on an 8×8 grid per tile; `id` only for a cell of one appeal.',
    minzoom: 0,
    maxzoom: POINT_MIN_ZOOM - 1,
    fields: { count: 'Number', overdue: 'Number', sphere: 'String', mix: 'String', weight: 'Number', id: 'Number' },
  },
  {
    id: POINT_LAYER,
    description: 'Every appeal matching the filters (default: open).',
    minzoom: POINT_MIN_ZOOM,
    maxzoom: MAX_ZOOM,
    fields: {
      id: 'Number',
      number: 'String',
      category: 'String',
      sphere: 'String',
      status: 'String',
      priority: 'Number',
      overdue: 'Boolean',
      weight: 'Number',
    },
  },
];

/** [west, south, east, north] of the city's districts, degrees; the whole world before any are loaded. */
async function cityBounds(pool: pg.Pool): Promise<[number, number, number, number]> {
  const { rows } = await pool.query<{ x0: number | null; y0: number; x1: number; y1: number }>(
    `SELECT ST_XMin(e) x0, ST_YMin(e) y0, ST_XMax(e) x1, ST_YMax(e) y1 FROM (SELECT ST_Extent(geom)::geometry e FROM districts) t`,
  );
  const b = rows[0];
  return b?.x0 != null ? [b.x0, b.y0, b.x1, b.y1] : [-180, -85.051129, 180, 85.051129];
}

/**
 * TileJSON 3.0.0 of the incident tiles, so that GDAL's MVT driver, MapLibre and other clients
 * open the tileset from one URL. `base` is the public base URL (server/public-url.ts): TileJSON's
 * `tiles` must be absolute for clients that fetch it from elsewhere. Answers with its ETag.
 */
export async function incidentTileJson(pool: pg.Pool, base: string) {
  const bounds = await cityBounds(pool);
  const doc: IncidentsTileJson = {
    tilejson: '3.0.0',
    name: 'Jardem appeals',
    description: 'Appeals of the city (default: open). The tile URL takes the filters of GET /api/incidents as query parameters.',
    scheme: 'xyz',
    tiles: [`${base}/tiles/incidents/{z}/{x}/{y}.mvt`],
    minzoom: 0,
    maxzoom: MAX_ZOOM,
    bounds,
    center: [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, 11],
    attribution: ATTRIBUTION,
    vector_layers: INCIDENT_VECTOR_LAYERS,
  };
  const etag = `"${createHash('sha1').update(JSON.stringify(doc)).digest('base64url')}"`;
  return { doc, etag };
}
