import type pg from 'pg';
import type { Catalog } from '../catalog.ts';
import { incidentConditions, type IncidentFilter } from '../incidents/filters.ts';
import { overdueSql } from '../domain/statuses.ts';

/**
 * Districts as GeoJSON with the count of matching appeals (`count`), and the open and overdue
 * appeals now (`open`, `overdue`). Without filters `count` equals `open`.
 */
export async function districtsWithCounts(pool: pg.Pool, catalog: Catalog, filter: IncidentFilter) {
  const hasFilter = Object.values(filter).some((v) => v !== undefined);
  const w = incidentConditions(hasFilter ? filter : { status: ['open'] }, catalog);
  const { rows } = await pool.query(
    `WITH matched AS (
       SELECT i.district_id, count(*)::int AS n FROM incidents i ${w} GROUP BY i.district_id
     ), open AS (
       SELECT i.district_id, count(*)::int AS open,
              count(*) FILTER (WHERE ${overdueSql()})::int AS overdue
         FROM incidents i WHERE i.is_open GROUP BY i.district_id
     )
     SELECT json_build_object(
       'type', 'Feature', 'id', d.id,
       'geometry', ST_AsGeoJSON(d.geom, 6)::json,
       'properties', json_build_object(
         'id', d.id, 'code', d.code,
         'name', json_build_object('kk', d.name_kk, 'ru', d.name_ru, 'en', d.name_en),
         'population', d.population, 'approximate', d.approximate,
         'count', coalesce(m.n, 0), 'open', coalesce(o.open, 0), 'overdue', coalesce(o.overdue, 0),
         'per10k', CASE WHEN d.population > 0 THEN round(coalesce(m.n, 0) * 10000.0 / d.population, 2) END
       )) AS feature
       FROM districts d
       LEFT JOIN matched m ON m.district_id = d.id
       LEFT JOIN open o ON o.district_id = d.id
      ORDER BY d.code`,
    w.values,
  );
  return { type: 'FeatureCollection' as const, features: rows.map((r) => r.feature) };
}
