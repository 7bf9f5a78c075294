import type pg from 'pg';

/** The tile (x, y) holding a point at zoom z, Web Mercator. */
export function tileOf(lng: number, lat: number, z: number): { z: number; x: number; y: number } {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return {
    z,
    x: Math.floor(((lng + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n),
  };
}

/**
 * The open appeal nearest the middle of all open ones: the city centre, whose tiles hold many
 * cells (the first appeal by id may lie at the city's edge, in tiles of a few cells).
 */
export async function centralOpenAppeal(db: pg.Pool | pg.PoolClient): Promise<{ lng: number; lat: number }> {
  const { rows } = await db.query<{ lng: number; lat: number }>(
    `SELECT ST_X(geom) AS lng, ST_Y(geom) AS lat FROM incidents WHERE is_open
      ORDER BY geom <-> (SELECT ST_Centroid(ST_Collect(geom)) FROM incidents WHERE is_open), id LIMIT 1`,
  );
  return rows[0];
}
