import { Hono } from 'hono';
import type { AppEnv, Deps } from '../context.ts';
import { STATUSES } from '../domain/statuses.ts';
import { CHANNELS, INCIDENT_TYPES } from '../incidents/filters.ts';

const names = (prefix = '') => `json_build_object('kk', ${prefix}name_kk, 'ru', ${prefix}name_ru, 'en', ${prefix}name_en)`;

/** The city, its reference lists and the enums: everything a client needs to draw its forms. */
export function metaRoutes({ pool, config }: Deps) {
  return new Hono<AppEnv>().get('/', async (c) => {
    const [city, categories, services, districts, bounds] = await Promise.all([
      pool.query(`SELECT value FROM city_settings WHERE key = 'city'`),
      pool.query(
        `SELECT c.code, p.code AS parent, s.code AS sphere, c.depth, ${names('c.')} AS name, c.icon,
                coalesce(c.color, s.color) AS color, c.priority, c.norm_hours, c.norm_working_days,
                c.emergency, sv.code AS service, c.duplicate_radius_m
           FROM categories c
           LEFT JOIN categories p ON p.id = c.parent_id
           LEFT JOIN categories s ON s.id = c.sphere_id
           LEFT JOIN services sv ON sv.id = c.default_service_id
          WHERE c.active ORDER BY c.depth, c.sort, c.code`,
      ),
      pool.query(`SELECT code, ${names()} AS name, kind, phone, email FROM services WHERE active ORDER BY code`),
      pool.query(
        `SELECT id, code, ${names()} AS name, population, approximate,
                ST_X(ST_PointOnSurface(geom)) AS lng, ST_Y(ST_PointOnSurface(geom)) AS lat,
                ARRAY[ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)] AS bbox
           FROM districts ORDER BY code`,
      ),
      pool.query(
        `SELECT ST_XMin(e) x0, ST_YMin(e) y0, ST_XMax(e) x1, ST_YMax(e) y1 FROM (SELECT ST_Extent(geom)::geometry e FROM districts) t`,
      ),
    ]);
    const b = bounds.rows[0];
    const cityValue = city.rows[0]?.value ?? {};
    return c.json({
      city: {
        ...cityValue,
        bounds:
          b?.x0 != null
            ? [
                [b.x0, b.y0],
                [b.x1, b.y1],
              ]
            : (cityValue.bounds ?? null),
        basemapUrl: config.JARDEM_BASEMAP_URL ?? null,
      },
      enums: { types: INCIDENT_TYPES, channels: CHANNELS, statuses: STATUSES },
      categories: categories.rows.map(({ norm_hours, norm_working_days, duplicate_radius_m, ...r }) => ({
        ...r,
        norm: norm_hours ? { hours: norm_hours } : norm_working_days ? { workingDays: norm_working_days } : null,
        radiusM: duplicate_radius_m,
      })),
      services: services.rows,
      districts: districts.rows,
    });
  });
}
