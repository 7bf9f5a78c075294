import type pg from 'pg';
import { namesSql } from '../db/sql.ts';

/** What GET /api/meta reads: the city's settings, the active catalogue, services, districts and their extent. */
export async function readMeta(pool: pg.Pool) {
  const [city, categories, services, districts, bounds] = await Promise.all([
    pool.query<{ value: Record<string, unknown> & { bounds?: unknown } }>(`SELECT value FROM city_settings WHERE key = 'city'`),
    pool.query(
      `SELECT c.code, p.code AS parent, s.code AS sphere, c.depth, ${namesSql('c')} AS name, c.icon,
              coalesce(c.color, s.color) AS color, c.priority, c.norm_hours, c.norm_working_days,
              c.emergency, sv.code AS service, c.duplicate_radius_m, c.request_type AS type,
              CASE WHEN c.answer_ru IS NOT NULL OR c.answer_kk IS NOT NULL OR c.answer_en IS NOT NULL
                   THEN json_build_object('kk', c.answer_kk, 'ru', c.answer_ru, 'en', c.answer_en) END AS answer,
              c.synonyms, coalesce(u.n, 0)::int AS usage
         FROM categories c
         LEFT JOIN (SELECT category_id, count(*) AS n FROM incidents WHERE created_at > now() - interval '90 days' GROUP BY category_id) u
           ON u.category_id = c.id
         LEFT JOIN categories p ON p.id = c.parent_id
         LEFT JOIN categories s ON s.id = c.sphere_id
         LEFT JOIN services sv ON sv.id = c.default_service_id
        WHERE c.active ORDER BY c.depth, c.sort, c.code`,
    ),
    pool.query(`SELECT v.code, ${namesSql('v')} AS name, v.kind, v.phone, v.email FROM services v WHERE v.active ORDER BY v.code`),
    pool.query(
      `SELECT d.id, d.code, ${namesSql('d')} AS name, d.population, d.approximate,
              ST_X(ST_PointOnSurface(d.geom)) AS lng, ST_Y(ST_PointOnSurface(d.geom)) AS lat,
              ARRAY[ST_XMin(d.geom), ST_YMin(d.geom), ST_XMax(d.geom), ST_YMax(d.geom)] AS bbox
         FROM districts d ORDER BY d.code`,
    ),
    pool.query<{ x0: number | null; y0: number; x1: number; y1: number }>(
      `SELECT ST_XMin(e) x0, ST_YMin(e) y0, ST_XMax(e) x1, ST_YMax(e) y1 FROM (SELECT ST_Extent(geom)::geometry e FROM districts) t`,
    ),
  ]);
  const b = bounds.rows[0];
  return {
    city: city.rows[0]?.value ?? {},
    /** [[west, south], [east, north]] of the districts, or null before any are loaded */
    extent:
      b?.x0 != null
        ? [
            [b.x0, b.y0],
            [b.x1, b.y1],
          ]
        : null,
    categories: categories.rows,
    services: services.rows,
    districts: districts.rows,
  };
}
