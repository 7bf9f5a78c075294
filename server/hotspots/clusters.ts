/**
 * GET /api/hotspots/clusters: repeated complaints. DBSCAN (ST_ClusterDBSCAN) over the appeals
 * of each category in a period, in the city's metric plane: a cluster is at least `minPoints`
 * appeals each within `eps` metres of another one of them (M. Ester et al. 1996, "A
 * density-based algorithm for discovering clusters in large spatial databases with noise").
 */
import type { Catalog } from '../catalog.ts';
import { incidentConditions, type IncidentFilter } from '../incidents/filters.ts';
import type { Queryable } from '../stats/rollup.ts';
import { getFrame } from './queries.ts';
import { namesSql } from '../db/sql.ts';

export interface ClusterOptions {
  filter: IncidentFilter;
  from: string;
  to: string;
  /** neighbourhood radius, metres on the ground */
  eps: number;
  /** appeals within eps (the appeal itself included) that make a core point */
  minPoints: number;
  /**
   * 'category': appeals of one category of the taxonomy's second level (a kind counts under its
   * category: "no hot water in the flat" with "no hot water in the building"); 'kind': of the
   * category stored on the appeal.
   */
  level: 'category' | 'kind';
  limit: number;
}

/** A degenerate hull (one place, or a line) is drawn as a disc or band this wide around it, metres. */
const HULL_PAD_M = 15;

export async function repeatedClusters(pool: Queryable, catalog: Catalog, o: ClusterOptions) {
  const frame = await getFrame(pool);
  const w = incidentConditions({ ...o.filter, from: o.from, to: o.to }, catalog);
  const srid = `${w.param(frame.srid)}::int`;
  const eps = `${w.param(o.eps * frame.scale)}::float8`;
  const minPoints = `${w.param(o.minPoints)}::int`;
  const pad = `${w.param(HULL_PAD_M * frame.scale)}::float8`;
  const scale = `${w.param(frame.scale)}::float8`;
  const limit = w.param(o.limit);
  const key =
    o.level === 'kind' ? 'c.id' : 'CASE WHEN c.depth <= 1 THEN c.id WHEN p.depth = 1 THEN p.id ELSE coalesce(p.parent_id, c.id) END';
  const { rows } = await pool.query(
    `WITH pts AS MATERIALIZED (
       SELECT i.id, i.created_at, i.is_open, i.parent_id, ${key} AS group_id, ST_Transform(i.geom, ${srid}) AS g
         FROM incidents i JOIN categories c ON c.id = i.category_id LEFT JOIN categories p ON p.id = c.parent_id
         ${w}
     ), labelled AS (
       SELECT pts.*, ST_ClusterDBSCAN(g, ${eps}, ${minPoints}) OVER (PARTITION BY group_id) AS cid FROM pts
     ), clusters AS (
       SELECT group_id, cid, count(*)::int AS size, count(*) FILTER (WHERE is_open)::int AS open,
              min(created_at) AS first, max(created_at) AS last,
              ST_Collect(g) AS pts, ST_ConvexHull(ST_Collect(g)) AS hull,
              array_agg(id ORDER BY created_at, id) AS ids,
              coalesce(array_agg(id ORDER BY created_at, id) FILTER (WHERE is_open), '{}') AS open_ids,
              coalesce(array_agg(id ORDER BY created_at, id) FILTER (WHERE is_open AND parent_id IS NULL), '{}') AS ungrouped_open_ids
         FROM labelled WHERE cid IS NOT NULL
        GROUP BY group_id, cid
       -- DBSCAN may leave a cluster below minPoints when a neighbour cluster takes its border
       -- points; a cluster here is at least minPoints appeals, as documented.
       HAVING count(*) >= ${minPoints}
        ORDER BY count(*) DESC, min(created_at), group_id, cid
        LIMIT ${limit}
     )
     SELECT k.code AS category, s.code AS sphere,
            ${namesSql('k')} AS name,
            cl.size, cl.open, cl.first, cl.last, cl.ids, cl.open_ids, cl.ungrouped_open_ids,
            ST_AsGeoJSON(ST_Transform(CASE WHEN ST_Area(cl.hull) > 0 THEN cl.hull ELSE ST_Buffer(cl.hull, ${pad}, 4) END, 4326), 6) AS hull,
            ST_AsGeoJSON(ST_Transform(ST_Centroid(cl.pts), 4326), 6) AS centroid,
            ST_MaxDistance(ST_Centroid(cl.pts), cl.pts) / ${scale} AS radius_m,
            (SELECT d.code FROM districts d WHERE ST_Intersects(d.geom, ST_Transform(ST_Centroid(cl.pts), 4326)) ORDER BY d.id LIMIT 1) AS district
       FROM clusters cl JOIN categories k ON k.id = cl.group_id LEFT JOIN categories s ON s.id = coalesce(k.sphere_id, k.id)
      ORDER BY cl.size DESC, cl.first, k.code`,
    w.values,
  );
  // bigint[] arrives as strings; ids stay far below 2^53.
  const ids = (a: string[]) => a.map(Number);
  const features = rows.map((r) => ({
    type: 'Feature' as const,
    id: `${r.category}:${Number(r.ids[0])}`,
    geometry: JSON.parse(r.hull),
    properties: {
      id: `${r.category}:${Number(r.ids[0])}`,
      category: r.category,
      sphere: r.sphere,
      name: r.name,
      size: r.size,
      open: r.open,
      open_share: Math.round((r.open / r.size) * 10_000) / 10_000,
      first: (r.first as Date).toISOString(),
      last: (r.last as Date).toISOString(),
      centroid: JSON.parse(r.centroid).coordinates as [number, number],
      radius_m: Math.round(r.radius_m),
      district: r.district as string | null,
      incident_ids: ids(r.ids),
      open_ids: ids(r.open_ids),
      // For POST /api/incidents/group: the oldest open appeal not yet grouped collects the others.
      grouping:
        r.ungrouped_open_ids.length >= 2 ? { parent: Number(r.ungrouped_open_ids[0]), children: ids(r.ungrouped_open_ids.slice(1)) } : null,
    },
  }));
  return {
    type: 'FeatureCollection' as const,
    parameters: { from: o.from, to: o.to, eps: o.eps, min_points: o.minPoints, level: o.level, limit: o.limit, srid: frame.srid },
    features,
  };
}
