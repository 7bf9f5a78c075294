/**
 * The geocoder's SQL: search (a street or place name by trigrams over the vocabulary, then its
 * addresses by house number), intersections (the closest point of two streets' lines) and
 * reverse (the nearest address by KNN). Coordinates are [lng, lat] in EPSG:4326; distances in
 * metres on the spheroid. Every value is a parameter; the typed text is normalised in
 * TypeScript (normalise.ts) exactly as the import normalised the names.
 */
import type pg from 'pg';
import type { HouseNumber, ParsedQuery } from './normalise.ts';

/** [lng, lat] */
export type LngLat = [number, number];

/** How far a reverse geocode looks for an address, in metres. */
export const REVERSE_RADIUS_M = 150;

/** A candidate's distance to `near` lowers its score by up to this much (0.2 at 40 km and beyond). */
const NEAR_WEIGHT_SQL = (nearParam: string, geom: string) =>
  `CASE WHEN ${nearParam}::float8[] IS NULL THEN 0
        ELSE least(ST_Distance(${geom}::geography, ST_SetSRID(ST_MakePoint((${nearParam}::float8[])[1], (${nearParam}::float8[])[2]), 4326)::geography) / 200000.0, 0.2) END`;

/** The JSON of a place as a feature's properties (names with fallbacks, district). */
const PROPERTIES_SQL = `json_build_object(
    'id', p.id, 'kind', p.kind, 'class', p.class, 'source', p.source,
    'name', json_build_object('kk', coalesce(p.names->>'kk', p.names->>'name', p.names->>'ru', concat_ws(', ', p.street, p.housenumber)),
                              'ru', coalesce(p.names->>'ru', p.names->>'name', p.names->>'kk', concat_ws(', ', p.street, p.housenumber)),
                              'en', coalesce(p.names->>'en', p.names->>'name', p.names->>'ru', concat_ws(', ', p.street, p.housenumber))),
    'old_name', p.names->>'old',
    'street', p.street, 'housenumber', p.housenumber,
    'district', CASE WHEN d.id IS NULL THEN NULL ELSE json_build_object('code', d.code, 'name', json_build_object('kk', d.name_kk, 'ru', d.name_ru, 'en', d.name_en)) END`;

/**
 * The street keys whose names look like a typed key, best first, with their similarity (0..1):
 * the nearest terms by trigram distance (whole name, and the typed words within a longer name),
 * each taken from the GiST index by KNN, kept when similar enough (0.3 whole, 0.6 within).
 */
const TERMS_SQL = (param: string, limit: number) => `
  SELECT street_key, max(sim) AS sim FROM (
    (SELECT street_key, similarity(term, ${param}) AS sim FROM place_terms ORDER BY term <-> ${param} LIMIT 30)
    UNION ALL
    (SELECT street_key, word_similarity(${param}, term) * 0.9 AS sim FROM place_terms ORDER BY ${param} <<-> term LIMIT 30)
  ) near_terms
   WHERE sim >= 0.3
   GROUP BY street_key
   ORDER BY sim DESC, street_key
   LIMIT ${limit}`;

export interface SearchOptions {
  near?: LngLat;
  limit: number;
}

/** Features for a parsed query, best first. */
export async function searchPlaces(pool: pg.Pool, q: ParsedQuery, opts: SearchOptions) {
  if (q.kind === 'intersection') return searchIntersection(pool, q.streets[0].key, q.streets[1].key, opts);
  if (!q.street.key) return [];
  return searchAddress(pool, q.street.key, q.house, opts);
}

/**
 * Addresses with the house number on streets named like the key, and the streets, places and
 * POIs of that name. Score: name similarity + 0.6 for the exact house number (0.3 for the same
 * number with another letter or building) − up to 0.2 for distance from `near`.
 */
async function searchAddress(pool: pg.Pool, key: string, house: HouseNumber | null, opts: SearchOptions) {
  const { rows } = await pool.query<{ feature: unknown }>(
    `WITH terms AS (${TERMS_SQL('$1', 10)}),
     candidates AS (
       SELECT p.*, t.sim + CASE WHEN p.house_key = $2 THEN 0.6 ELSE 0.3 END AS score
         FROM terms t JOIN places p ON p.kind = 'address' AND p.street_key = t.street_key
        WHERE $2::text IS NOT NULL AND (p.house_key = $2 OR p.house_num = $3)
       UNION ALL
       SELECT p.*, t.sim + CASE WHEN $2::text IS NULL THEN (CASE p.kind WHEN 'poi' THEN 0.05 ELSE 0.1 END) ELSE 0 END AS score
         FROM terms t JOIN places p ON p.kind <> 'address' AND p.street_key = t.street_key
     ), ranked AS (
       SELECT c.*, c.score - ${NEAR_WEIGHT_SQL('$4', 'c.geom')} AS rank
         FROM candidates c
        ORDER BY rank DESC, c.id
        LIMIT $5
     )
     SELECT json_build_object(
       'type', 'Feature', 'id', p.id,
       'geometry', ST_AsGeoJSON(CASE WHEN GeometryType(p.geom) IN ('POINT') THEN p.geom
                                     WHEN $4::float8[] IS NOT NULL THEN ST_ClosestPoint(p.geom, ST_SetSRID(ST_MakePoint(($4::float8[])[1], ($4::float8[])[2]), 4326))
                                     ELSE ST_ClosestPoint(p.geom, ST_Centroid(p.geom)) END, 6)::json,
       'properties', ${PROPERTIES_SQL}, 'score', round(p.rank::numeric, 3))
     ) AS feature
       FROM ranked p LEFT JOIN districts d ON d.id = p.district_id
      ORDER BY p.rank DESC, p.id`,
    [key, house?.key ?? null, house?.number ?? null, opts.near ?? null, opts.limit],
  );
  return rows.map((r) => r.feature);
}

/** Two streets named like the keys that meet (within ~30 m): the closest point of the first to the second. */
async function searchIntersection(pool: pg.Pool, a: string, b: string, opts: SearchOptions) {
  const { rows } = await pool.query<{ feature: unknown }>(
    `WITH ta AS (${TERMS_SQL('$1', 3)}), tb AS (${TERMS_SQL('$2', 3)}),
     pairs AS (
       SELECT sa.id AS a_id, sb.id AS b_id, ta.sim + tb.sim AS sim,
              sa.names AS a_names, sb.names AS b_names,
              ST_ClosestPoint(sa.geom, sb.geom) AS geom
         FROM ta JOIN places sa ON sa.kind = 'street' AND sa.street_key = ta.street_key
         JOIN tb ON tb.street_key <> ta.street_key
         JOIN places sb ON sb.kind = 'street' AND sb.street_key = tb.street_key
        WHERE ST_DWithin(sa.geom, sb.geom, 0.0003)
     ), ranked AS (
       SELECT pr.*, pr.sim / 2 + 0.6 - ${NEAR_WEIGHT_SQL('$3', 'pr.geom')} AS rank,
              (SELECT d.id FROM districts d WHERE ST_Intersects(d.geom, pr.geom) ORDER BY d.id LIMIT 1) AS district_id
         FROM pairs pr ORDER BY rank DESC, a_id, b_id LIMIT $4
     )
     SELECT json_build_object(
       'type', 'Feature', 'id', 'x' || r.a_id || '-' || r.b_id,
       'geometry', ST_AsGeoJSON(r.geom, 6)::json,
       'properties', json_build_object(
         'id', NULL, 'kind', 'intersection', 'class', NULL,
         'name', json_build_object(
           'kk', concat_ws(' / ', coalesce(r.a_names->>'kk', r.a_names->>'name'), coalesce(r.b_names->>'kk', r.b_names->>'name')),
           'ru', concat_ws(' / ', coalesce(r.a_names->>'ru', r.a_names->>'name'), coalesce(r.b_names->>'ru', r.b_names->>'name')),
           'en', concat_ws(' / ', coalesce(r.a_names->>'en', r.a_names->>'name'), coalesce(r.b_names->>'en', r.b_names->>'name'))),
         'street', concat_ws(' / ', r.a_names->>'name', r.b_names->>'name'), 'housenumber', NULL,
         'streets', json_build_array(r.a_id, r.b_id),
         'district', CASE WHEN d.id IS NULL THEN NULL ELSE json_build_object('code', d.code, 'name', json_build_object('kk', d.name_kk, 'ru', d.name_ru, 'en', d.name_en)) END,
         'score', round(r.rank::numeric, 3))
     ) AS feature
       FROM ranked r LEFT JOIN districts d ON d.id = r.district_id
      ORDER BY r.rank DESC, r.a_id, r.b_id`,
    [a, b, opts.near ?? null, opts.limit],
  );
  // The same crossing found from both merged pieces of a street: keep the first of each position.
  const seen = new Set<string>();
  return rows
    .map((r) => r.feature as { geometry: { coordinates: number[] } })
    .filter((f) => {
      const k = f.geometry.coordinates.map((c) => c.toFixed(4)).join(',');
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

/**
 * The nearest address within `radius` metres of a point, the nearest street (within the same
 * radius) and the district holding the point. KNN on the addresses' GiST index picks a few by
 * planar distance; the spheroid distance decides.
 */
export async function reverseGeocode(pool: pg.Pool, at: LngLat, radius = REVERSE_RADIUS_M) {
  // The point written out in each place (not a CTE), so that the planner sees a constant and the
  // KNN order uses the GiST index.
  const PT = 'ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)';
  const { rows } = await pool.query<{ address: unknown; street: unknown; district: unknown }>(
    `WITH near_address AS (
       SELECT p.*, ST_Distance(p.geom::geography, ${PT}::geography) AS dist
         FROM (SELECT p.* FROM places p WHERE p.kind = 'address' ORDER BY p.geom <-> ${PT} LIMIT 8) p
        WHERE ST_DWithin(p.geom::geography, ${PT}::geography, $3)
        ORDER BY dist, p.id LIMIT 1
     ),
     near_street AS (
       SELECT p.*, ST_Distance(p.geom::geography, ${PT}::geography) AS dist, ST_ClosestPoint(p.geom, ${PT}) AS at
         FROM places p
        WHERE p.kind = 'street' AND p.geom && ST_Expand(${PT}, $3 / 80000.0)
          AND ST_DWithin(p.geom::geography, ${PT}::geography, $3)
        ORDER BY dist, p.id LIMIT 1
     )
     SELECT
       (SELECT json_build_object('type', 'Feature', 'id', p.id, 'geometry', ST_AsGeoJSON(p.geom, 6)::json,
                'properties', ${PROPERTIES_SQL}, 'distance_m', round(p.dist::numeric, 1)))
          FROM near_address p LEFT JOIN districts d ON d.id = p.district_id) AS address,
       (SELECT json_build_object('type', 'Feature', 'id', p.id, 'geometry', ST_AsGeoJSON(p.at, 6)::json,
                'properties', ${PROPERTIES_SQL}, 'distance_m', round(p.dist::numeric, 1)))
          FROM near_street p LEFT JOIN districts d ON d.id = p.district_id) AS street,
       (SELECT json_build_object('code', d.code, 'name', json_build_object('kk', d.name_kk, 'ru', d.name_ru, 'en', d.name_en))
          FROM districts d WHERE ST_Intersects(d.geom, ${PT}) ORDER BY d.id LIMIT 1) AS district`,
    [at[0], at[1], radius],
  );
  return rows[0];
}

/** A place by id (Open311 `address_id`), with its point. */
export async function placeById(pool: pg.Pool, id: number) {
  const { rows } = await pool.query<{ id: number; kind: string; lng: number; lat: number; label: string }>(
    `SELECT p.id, p.kind, ST_X(ST_PointOnSurface(p.geom)) AS lng, ST_Y(ST_PointOnSurface(p.geom)) AS lat,
            concat_ws(', ', coalesce(p.street, p.names->>'ru', p.names->>'name'), p.housenumber) AS label
       FROM places p WHERE p.id = $1`,
    [id],
  );
  return rows[0] ?? null;
}
