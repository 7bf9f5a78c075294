import type pg from 'pg';
import { cachedPerPool } from '../cache.ts';
import { onCatalogueChange, syncCatalogue } from '../catalogue/version.ts';
import { namesSql } from '../db/sql.ts';

/**
 * How long a node's 90-day usage count is kept (milliseconds). It only orders the picker's
 * answers to short queries, so a count ten minutes old orders them as well as a fresh one; the
 * count reads every appeal of 90 days (about 600,000 rows at 10 million appeals), which a public
 * route must not do per request.
 */
export const USAGE_TTL_MS = 10 * 60_000;
/** The active catalogue is read again at the latest after this, and at once after an edit (catalogue version). */
const CATEGORIES_TTL_MS = 10 * 60_000;

type Names = { kk: string; ru: string; en: string };
/** A row of the catalogue query below (snake_case columns are renamed by the route). */
interface MetaCategoryRow {
  id: number;
  code: string;
  parent: string | null;
  sphere: string;
  depth: number;
  name: Names;
  icon: string | null;
  color: string | null;
  priority: number;
  norm_hours: number | null;
  norm_working_days: number | null;
  emergency: boolean;
  service: string | null;
  duplicate_radius_m: number | null;
  type: 'information' | 'complaint' | null;
  answer: Names | null;
  synonyms: string[];
}

/** The active catalogue as /api/meta lists it (without usage), kept until the catalogue's version moves. */
const categoriesCache = cachedPerPool(CATEGORIES_TTL_MS, async (pool: pg.Pool) => {
  const { rows } = await pool.query<MetaCategoryRow>(
    `SELECT c.id, c.code, p.code AS parent, s.code AS sphere, c.depth, ${namesSql('c')} AS name, c.icon,
            coalesce(c.color, s.color) AS color, c.priority, c.norm_hours, c.norm_working_days,
            c.emergency, sv.code AS service, c.duplicate_radius_m, c.request_type AS type,
            CASE WHEN c.answer_ru IS NOT NULL OR c.answer_kk IS NOT NULL OR c.answer_en IS NOT NULL
                 THEN json_build_object('kk', c.answer_kk, 'ru', c.answer_ru, 'en', c.answer_en) END AS answer,
            c.synonyms
       FROM categories c
       LEFT JOIN categories p ON p.id = c.parent_id
       LEFT JOIN categories s ON s.id = c.sphere_id
       LEFT JOIN services sv ON sv.id = c.default_service_id
      WHERE c.active ORDER BY c.depth, c.sort, c.code`,
  );
  return rows;
});
onCatalogueChange((pool: pg.Pool) => categoriesCache.invalidate(pool));

/** Appeals per category id over the last 90 days, counted at most once per USAGE_TTL_MS per pool. */
const usageCache = cachedPerPool(USAGE_TTL_MS, async (pool: pg.Pool) => {
  const { rows } = await pool.query<{ category_id: number; n: number }>(
    `SELECT category_id, count(*)::int AS n FROM incidents WHERE created_at > now() - interval '90 days' GROUP BY category_id`,
  );
  return new Map(rows.map((r) => [r.category_id, r.n]));
});

/** Forget the cached usage counts (tests, and after a bulk load). */
export function invalidateUsage(pool: pg.Pool): void {
  usageCache.invalidate(pool);
}

async function categoriesWithUsage(pool: pg.Pool) {
  await syncCatalogue(pool);
  const [rows, usage] = await Promise.all([categoriesCache.get(pool), usageCache.get(pool)]);
  return rows.map(({ id, ...c }) => ({ ...c, usage: usage.get(id) ?? 0 }));
}

/** What GET /api/meta reads: the city's settings, the active catalogue, services, districts and their extent. */
export async function readMeta(pool: pg.Pool) {
  const [city, categories, services, districts, bounds] = await Promise.all([
    pool.query<{ value: Record<string, unknown> & { bounds?: unknown } }>(`SELECT value FROM city_settings WHERE key = 'city'`),
    categoriesWithUsage(pool),
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
    categories,
    services: services.rows,
    districts: districts.rows,
  };
}
