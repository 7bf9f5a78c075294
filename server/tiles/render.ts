import type pg from 'pg';
import type { Catalog } from '../catalog.ts';
import { incidentConditions, type IncidentFilter, Where } from '../incidents/filters.ts';
import { onlyOpen } from '../incidents/queries.ts';
import { statementName } from '../db/statements.ts';
import { log } from '../log.ts';
import { encodePointTile, type TilePoint } from './encode.ts';
import { CELLS_MAX_ZOOM, MERCATOR_HALF_WIDTH, POINT_LAYER, type TileId, type TileSource, tileBounds, tileQuery } from './tile-sql.ts';

export type TileEncoder = 'postgis' | 'js';

const encoders = new WeakMap<pg.Pool, Promise<TileEncoder>>();

/**
 * Whether this database can encode tiles itself (PostGIS built with protobuf): asked once per
 * pool with a one-point tile. PGlite's PostGIS answers "Compiled without protobuf-c support".
 */
export function tileEncoder(pool: pg.Pool): Promise<TileEncoder> {
  let e = encoders.get(pool);
  if (!e) {
    e = pool
      .query(`SELECT ST_AsMVT(t) FROM (SELECT ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(0, 0), 3857), ST_TileEnvelope(0, 0, 0)) AS geom) t`)
      .then(
        () => 'postgis' as const,
        (err: Error) => {
          log.info({ reason: err.message }, 'vector tiles are encoded in JS: PostGIS here has no ST_AsMVT');
          return 'js' as const;
        },
      );
    encoders.set(pool, e);
  }
  return e;
}

/** Degrees of longitude and latitude of a tile's edges (Web Mercator inverse). */
function tileDegrees(tile: TileId) {
  const b = tileBounds(tile);
  const lng = (x: number) => (x / MERCATOR_HALF_WIDTH) * 180;
  const lat = (y: number) => (Math.atan(Math.exp((y / MERCATOR_HALF_WIDTH) * Math.PI)) * 360) / Math.PI - 90;
  return { west: lng(b.xmin), east: lng(b.xmax), south: lat(b.ymin), north: lat(b.ymax) };
}

/**
 * Where a tile's features come from. The open appeals with no other filter, at a cell zoom the
 * pre-aggregated squares serve: open_incident_cells (migration 028). A bbox that holds the
 * whole tile filters nothing there and does not count as a filter. Other filters over open
 * appeals read the narrow copy (it holds every column they read, except the searched text);
 * the rest reads incidents.
 */
export function tileSource(filter: IncidentFilter, tile: TileId): TileSource {
  if (!onlyOpen(filter) || filter.q) return 'all';
  const { status, bbox, ...rest } = filter;
  const others = Object.values(rest).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0));
  let bboxFilters = false;
  if (bbox) {
    const d = tileDegrees(tile);
    const [w, s, e, n] = bbox;
    bboxFilters = !(w <= d.west && s <= d.south && e >= d.east && n >= d.north);
  }
  if (tile.z <= CELLS_MAX_ZOOM && status!.every((s) => s === 'open') && !others && !bboxFilters) return 'cells';
  return 'open';
}

/**
 * The cells' SQL is one text per mode (the tile is in its parameters): a named statement, so
 * each connection plans it once (its planning took as long as its execution, ~15 ms); unnamed
 * on the embedded engine (server/db/statements.ts).
 */
const prepared = (pool: pg.Pool, source: TileSource, mode: 'mvt' | 'rows') =>
  source === 'cells' ? statementName(pool, `jardem_tile_cells_${mode}`) : undefined;

/**
 * One incident tile as MVT bytes, or null when it has no features. The same SQL selects the
 * features on both paths; only the encoding differs.
 */
export async function renderIncidentTile(
  pool: pg.Pool,
  catalog: Catalog,
  filter: IncidentFilter,
  tile: TileId,
  encoder: TileEncoder,
): Promise<Uint8Array | null> {
  const source = tileSource(filter, tile);
  // The cells copy takes no condition: it is the open appeals, unfiltered.
  const where = source === 'cells' ? new Where() : incidentConditions(filter, catalog);
  if (encoder === 'postgis') {
    const { sql, values } = tileQuery(tile, where, 'mvt', source);
    const { rows } = await pool.query<{ mvt: Buffer | null }>({ text: sql, values, name: prepared(pool, source, 'mvt') });
    const bytes = rows[0]?.mvt;
    return bytes && bytes.byteLength ? new Uint8Array(bytes) : null;
  }
  const { sql, values, layer } = tileQuery(tile, where, 'rows', source);
  const { rows } = await pool.query<Record<string, any>>({ text: sql, values, name: prepared(pool, source, 'rows') });
  if (!rows.length) return null;
  const points: TilePoint[] = rows.map(({ px, py, ...properties }) => ({
    x: px,
    y: py,
    properties,
    ...(layer === POINT_LAYER ? { id: properties.id } : {}),
  }));
  return encodePointTile({ [layer]: points });
}
