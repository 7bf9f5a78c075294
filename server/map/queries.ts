import type pg from 'pg';
import type { Catalog } from '../catalog.ts';
import { incidentConditions, type IncidentFilter } from '../incidents/filters.ts';
import { onlyOpen } from '../incidents/queries.ts';
import { overdueSql } from '../domain/statuses.ts';

/** Cluster cells are about this many screen pixels wide at the requested zoom. */
export const CELL_PX = 64;

/** Cell size in degrees of longitude for a zoom level (256-px tiles). */
export function cellDegrees(zoom: number): number {
  return (360 / 2 ** zoom / 256) * CELL_PX;
}

/**
 * Appeals aggregated on a grid for the map: per cell the count, the mean position, the sum of
 * heat weights (priority and age) and the mix of spheres. A cell with one appeal carries its id
 * and category. The client never downloads every point at city scale; the cost follows the
 * matching appeals (by default the open ones, from the backlog's narrow copy), not the history.
 */
export async function clusters(pool: pg.Pool, catalog: Catalog, filter: IncidentFilter, zoom: number) {
  const f = filter.status ? filter : { ...filter, status: ['open' as const] };
  const w = incidentConditions(f, catalog);
  // Open appeals without a text search: from the backlog's narrow copy, which knows each sphere.
  const source = onlyOpen(f) && !f.q ? 'open_incident_points i' : 'incidents i JOIN categories c ON c.id = i.category_id';
  const sphere = onlyOpen(f) && !f.q ? 'i.sphere_id' : 'c.sphere_id';
  const cell = w.param(cellDegrees(zoom));
  const { rows } = await pool.query(
    `WITH pts AS (
       SELECT floor(ST_X(i.geom) / ${cell})::int AS gx, floor(ST_Y(i.geom) / ${cell})::int AS gy,
              ${sphere} AS sphere_id, i.id, ST_X(i.geom) AS x, ST_Y(i.geom) AS y,
              -- heat weight: priority 1 (critical) weighs 4, priority 4 weighs 1; age adds up to +300 % over 30 days
              (5 - i.priority) * (1 + least(date_part('epoch', now() - i.created_at) / 86400.0, 30) / 10) AS weight
         FROM ${source}
         ${w}
     ), by_sphere AS (
       SELECT gx, gy, sphere_id, count(*)::int AS n, sum(x) AS sx, sum(y) AS sy, sum(weight) AS sw, min(id) AS any_id
         FROM pts GROUP BY gx, gy, sphere_id
     )
     SELECT sum(b.n)::int AS n, sum(b.sx) / sum(b.n) AS x, sum(b.sy) / sum(b.n) AS y, round(sum(b.sw)::numeric, 2) AS weight,
            json_object_agg(s.code, b.n) AS mix, min(b.any_id) AS any_id
       FROM by_sphere b JOIN categories s ON s.id = b.sphere_id
      GROUP BY b.gx, b.gy`,
    w.values,
  );
  const singles = rows.filter((r) => r.n === 1).map((r) => r.any_id);
  const details = singles.length
    ? (
        await pool.query(
          `SELECT i.id, i.number, c.code AS category, i.status, i.priority,
                  ${overdueSql()} AS overdue
             FROM incidents i JOIN categories c ON c.id = i.category_id WHERE i.id = ANY($1::bigint[])`,
          [singles],
        )
      ).rows
    : [];
  const byId = new Map(details.map((d) => [d.id, d]));
  return {
    type: 'FeatureCollection' as const,
    zoom,
    features: rows.map((r) => {
      const mix = r.mix as Record<string, number>;
      const top = Object.entries(mix).sort((a, b) => b[1] - a[1])[0][0];
      const single = r.n === 1 ? byId.get(r.any_id) : undefined;
      return {
        type: 'Feature' as const,
        geometry: { type: 'Point' as const, coordinates: [Math.round(r.x * 1e6) / 1e6, Math.round(r.y * 1e6) / 1e6] },
        properties: { count: r.n, weight: r.weight, sphere: top, mix, ...(single ?? {}) },
      };
    }),
  };
}
