import type pg from 'pg';
import type { Catalog } from '../catalog.ts';
import { incidentConditions, type IncidentFilter } from '../incidents/filters.ts';
import { overdueSql } from '../domain/statuses.ts';
import { namesSql } from '../db/sql.ts';

/**
 * Districts as GeoJSON with the count of matching appeals (`count`) and, of those, the open and
 * the overdue ones (`open`, `overdue`): every column follows the filters, so a ranking sorted by
 * overdue means the same appeals as its count. Without filters `count` equals `open` (the open
 * appeals now).
 */
export async function districtsWithCounts(pool: pg.Pool, catalog: Catalog, filter: IncidentFilter) {
  const hasFilter = Object.values(filter).some((v) => v !== undefined);
  const w = incidentConditions(hasFilter ? filter : { status: ['open'] }, catalog);
  const { rows } = await pool.query(
    `WITH matched AS (
       SELECT i.district_id, count(*)::int AS n,
              count(*) FILTER (WHERE i.is_open)::int AS open,
              count(*) FILTER (WHERE i.is_open AND ${overdueSql()})::int AS overdue
         FROM incidents i ${w} GROUP BY i.district_id
     )
     SELECT json_build_object(
       'type', 'Feature', 'id', d.id,
       'geometry', ST_AsGeoJSON(d.geom, 6)::json,
       'properties', json_build_object(
         'id', d.id, 'code', d.code,
         'name', ${namesSql('d')},
         'population', d.population, 'approximate', d.approximate,
         'count', coalesce(m.n, 0), 'open', coalesce(m.open, 0), 'overdue', coalesce(m.overdue, 0),
         'per10k', CASE WHEN d.population > 0 THEN round(coalesce(m.n, 0) * 10000.0 / d.population, 2) END
       )) AS feature
       FROM districts d
       LEFT JOIN matched m ON m.district_id = d.id
      ORDER BY d.code`,
    w.values,
  );
  return { type: 'FeatureCollection' as const, features: rows.map((r) => r.feature) };
}
