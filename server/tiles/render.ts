import type pg from 'pg';
import type { Catalog } from '../catalog.ts';
import { incidentConditions, type IncidentFilter } from '../incidents/filters.ts';
import { onlyOpen } from '../incidents/queries.ts';
import { log } from '../log.ts';
import { encodePointTile, type TilePoint } from './encode.ts';
import { POINT_LAYER, type TileId, tileQuery } from './tile-sql.ts';

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
  const where = incidentConditions(filter, catalog);
  // The narrow copy of the backlog holds every column the filters read, except the searched text.
  const source = onlyOpen(filter) && !filter.q ? 'open' : 'all';
  if (encoder === 'postgis') {
    const { sql, values } = tileQuery(tile, where, 'mvt', source);
    const { rows } = await pool.query<{ mvt: Buffer | null }>(sql, values);
    const bytes = rows[0]?.mvt;
    return bytes && bytes.byteLength ? new Uint8Array(bytes) : null;
  }
  const { sql, values, layer } = tileQuery(tile, where, 'rows', source);
  const { rows } = await pool.query<Record<string, any>>(sql, values);
  if (!rows.length) return null;
  const points: TilePoint[] = rows.map(({ px, py, ...properties }) => ({
    x: px,
    y: py,
    properties,
    ...(layer === POINT_LAYER ? { id: properties.id } : {}),
  }));
  return encodePointTile({ [layer]: points });
}
