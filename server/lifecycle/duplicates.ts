import type pg from 'pg';

/** Anything that runs a query: the pool, or a client inside a transaction. */
export type Db = Pick<pg.PoolClient, 'query'>;

/** At most this many candidates are shown to the dispatcher. */
export const MAX_DUPLICATES = 20;

export interface DuplicateCandidate {
  id: number;
  number: string;
  category: string;
  same_category: boolean;
  status: string;
  description: string;
  address: string | null;
  reporter_count: number;
  created_at: string;
  /** Metres on the spheroid from the given point. */
  distance_m: number;
  lng: number;
  lat: number;
}

/**
 * Open appeals of the same category or sphere near a point, nearest first: within the
 * category's duplicate radius (metres, geography) and created within its duplicate window
 * (hours). A bounding box in degrees around the point (widened for the latitude) lets the
 * partial GiST index on open appeals' geometry pick the candidates; ST_DWithin on geography
 * then keeps the exact ones. `exclude` leaves out the appeal being registered.
 */
export async function findDuplicates(
  db: Db,
  categoryId: number,
  lng: number,
  lat: number,
  exclude?: number,
): Promise<DuplicateCandidate[]> {
  const { rows } = await db.query<DuplicateCandidate>(
    `WITH k AS (
       SELECT id, sphere_id, duplicate_radius_m AS r, duplicate_window_h AS h FROM categories WHERE id = $1
     ), p AS (
       SELECT ST_SetSRID(ST_MakePoint($2, $3), 4326) AS g
     )
     SELECT i.id, i.number, c.code AS category, (i.category_id = k.id) AS same_category, i.status, i.description, i.address,
            i.reporter_count, i.created_at, round(ST_Distance(i.geom::geography, p.g::geography)::numeric, 1)::float8 AS distance_m,
            ST_X(i.geom) AS lng, ST_Y(i.geom) AS lat
       FROM k, p, incidents i JOIN categories c ON c.id = i.category_id
      WHERE i.is_open
        AND i.geom && ST_Expand(p.g, k.r * 1.01 / (111320 * cos(radians($3))), k.r * 1.01 / 110540)
        AND ST_DWithin(i.geom::geography, p.g::geography, k.r)
        AND (i.category_id = k.id OR c.sphere_id = k.sphere_id)
        AND i.created_at >= now() - make_interval(hours => k.h)
        AND i.id <> coalesce($4::bigint, 0)
      ORDER BY distance_m, i.id
      LIMIT ${MAX_DUPLICATES}`,
    [categoryId, lng, lat, exclude ?? null],
  );
  return rows;
}
