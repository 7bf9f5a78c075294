/**
 * The database side of hot spot analysis: the city's metric frame, the hexagon grid over the
 * study area, and appeals counted per cell, time slice and category. PostGIS does the geometry
 * (ST_Transform, ST_HexagonGrid); analysis.ts does the statistics.
 */
import { cachedPerPool } from '../cache.ts';
import type { Catalog } from '../catalog.ts';
import { incidentConditions, type IncidentFilter, Where } from '../incidents/filters.ts';
import type { Queryable } from '../stats/rollup.ts';
import { type CubicFit, fitCubic } from './projection.ts';

/**
 * A metric plane for the city: the UTM zone of the centre of its districts when PostGIS knows
 * it (EPSG:326zz north, 327zz south; Taraz and Astana: 32642, zone 42N), else Web Mercator
 * (3857), whose units are metres only at the equator: `scale` converts metres on the ground to
 * units of the plane (1/cos φ near latitude φ; 1 for UTM, whose scale error is below 0.1 %).
 */
export interface Frame {
  srid: number;
  scale: number;
  /**
   * The projection to the plane as a cubic fitted over `box` (projection.ts), for projecting
   * many appeals at once; null without districts.
   */
  fit: CubicFit | null;
  /** [minLng, minLat, maxLng, maxLat]: the districts' extent and a quarter of it around, where the fit holds */
  box: [number, number, number, number] | null;
}

const FRAME_TTL_MS = 300_000;

async function loadFrame(pool: Queryable): Promise<Frame> {
  const { rows } = await pool.query<{ x0: number | null; y0: number; x1: number; y1: number }>(
    `SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1 FROM (SELECT ST_Extent(geom)::geometry AS e FROM districts) t`,
  );
  const e = rows[0];
  if (!e || e.x0 === null) return { srid: 3857, scale: 1, fit: null, box: null };
  const lng = (e.x0 + e.x1) / 2;
  const lat = (e.y0 + e.y1) / 2;
  const zone = Math.min(60, Math.floor((lng + 180) / 6) + 1);
  const utm = (lat >= 0 ? 32600 : 32700) + zone;
  const known = await pool.query('SELECT 1 FROM spatial_ref_sys WHERE srid = $1', [utm]);
  const [srid, scale] = known.rowCount ? [utm, 1] : [3857, 1 / Math.cos((lat * Math.PI) / 180)];
  const padX = (e.x1 - e.x0) / 4;
  const padY = (e.y1 - e.y0) / 4;
  const box: [number, number, number, number] = [e.x0 - padX, e.y0 - padY, e.x1 + padX, e.y1 + padY];
  // 7 × 7 points over the box, projected by PostGIS, fix the cubic.
  const grid = Array.from({ length: 49 }, (_, k) => [
    box[0] + ((box[2] - box[0]) * Math.floor(k / 7)) / 6,
    box[1] + ((box[3] - box[1]) * (k % 7)) / 6,
  ]);
  const projected = await pool.query<{ lng: number; lat: number; x: number; y: number }>(
    `SELECT u.lng, u.lat, ST_X(p) AS x, ST_Y(p) AS y
       FROM unnest($1::float8[], $2::float8[]) AS u(lng, lat)
      CROSS JOIN LATERAL ST_Transform(ST_SetSRID(ST_MakePoint(u.lng, u.lat), 4326), $3::int) p`,
    [grid.map((g) => g[0]), grid.map((g) => g[1]), srid],
  );
  return { srid, scale, fit: fitCubic(projected.rows, lng, lat), box };
}

const frames = cachedPerPool(FRAME_TTL_MS, loadFrame);

export function getFrame(pool: Queryable): Promise<Frame> {
  return frames.get(pool);
}

export interface StudyArea {
  /** district ids, or all districts */
  districtIds?: number[];
  /** [minLng, minLat, maxLng, maxLat] */
  bbox?: [number, number, number, number];
}

/** The study area in the frame's plane: the (chosen) districts, clipped to the bbox. */
function areaSql(frame: Frame, area: StudyArea, w: Where): string {
  const srid = w.param(frame.srid);
  const districts = area.districtIds?.length ? `WHERE d.id = ANY(${w.param(area.districtIds)}::int[])` : '';
  const union = `(SELECT ST_Transform(ST_Union(d.geom), ${srid}::int) FROM districts d ${districts})`;
  if (!area.bbox) return union;
  const [a, b, c, d] = area.bbox.map((v) => w.param(v));
  return `ST_Intersection(${union}, ST_Transform(ST_MakeEnvelope(${a}, ${b}, ${c}, ${d}, 4326), ${srid}::int))`;
}

/** Area of the study area in square metres on the ground. */
export async function studyAreaM2(pool: Queryable, frame: Frame, area: StudyArea): Promise<number> {
  const w = new Where();
  const { rows } = await pool.query<{ a: number | null }>(`SELECT ST_Area(${areaSql(frame, area, w)}) AS a`, w.values);
  return (rows[0]?.a ?? 0) / frame.scale ** 2;
}

export interface GridCell {
  i: number;
  j: number;
  /** GeoJSON Polygon in EPSG:4326, [lng, lat], 6 decimals */
  geometry: { type: 'Polygon'; coordinates: number[][][] };
  /** code of the district containing the cell's centre */
  district: string | null;
  /** residents, district populations spread by area (only when asked for) */
  population: number | null;
}

/**
 * The hexagons of edge `size` (plane units) that touch the study area, with their district and
 * optionally their residents: Σ over districts of population × (area of hexagon ∩ district) ÷
 * (area of district), districts without a population left out.
 */
export async function hexGrid(pool: Queryable, frame: Frame, area: StudyArea, size: number, withPopulation: boolean): Promise<GridCell[]> {
  const w = new Where();
  const srid = w.param(frame.srid);
  // A hexagon inside one district (most of them) takes its share without computing an intersection.
  const population = withPopulation
    ? `(SELECT sum(dm.population * CASE WHEN ST_Within(h.geom, dm.g) THEN ST_Area(h.geom) ELSE ST_Area(ST_Intersection(h.geom, dm.g)) END / dm.area)
          FROM dm WHERE ST_Intersects(h.geom, dm.g))`
    : 'NULL::float8';
  const { rows } = await pool.query<{ i: number; j: number; geometry: string; district: string | null; population: number | null }>(
    `WITH area AS MATERIALIZED (SELECT ${areaSql(frame, area, w)} AS g),
          dm AS MATERIALIZED (SELECT d.population, g, ST_Area(g) AS area
                                FROM districts d CROSS JOIN LATERAL ST_Transform(d.geom, ${srid}::int) g
                               WHERE d.population IS NOT NULL AND ${withPopulation})
     SELECT h.i, h.j, ST_AsGeoJSON(ST_Transform(h.geom, 4326), 6) AS geometry,
            (SELECT d.code FROM districts d WHERE ST_Intersects(d.geom, ST_Transform(ST_Centroid(h.geom), 4326)) ORDER BY d.id LIMIT 1) AS district,
            ${population} AS population
       FROM area, ST_HexagonGrid(${w.param(size)}::float8, area.g) h
      WHERE ST_Intersects(h.geom, area.g)
      ORDER BY h.i, h.j`,
    w.values,
  );
  return rows.map((r) => ({ ...r, geometry: JSON.parse(r.geometry) }));
}

const grids = new WeakMap<Queryable, Map<string, { at: number; cells: Promise<GridCell[]> }>>();
/** A grid depends on the districts only: kept 10 minutes (a boundary import shows after that), 16 at most. */
const GRID_TTL_MS = 600_000;
const GRID_CACHE_SIZE = 16;

/** hexGrid, remembered per database, area, size and population flag. Callers must not mutate the cells. */
export function cachedHexGrid(pool: Queryable, frame: Frame, area: StudyArea, size: number, withPopulation: boolean): Promise<GridCell[]> {
  let cache = grids.get(pool);
  if (!cache) grids.set(pool, (cache = new Map()));
  const key = JSON.stringify([frame.srid, area.districtIds ?? null, area.bbox ?? null, size, withPopulation]);
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < GRID_TTL_MS) {
    cache.delete(key);
    cache.set(key, hit); // most recently used last
    return hit.cells;
  }
  const cells = hexGrid(pool, frame, area, size, withPopulation);
  cache.set(key, { at: Date.now(), cells });
  cells.catch(() => cache.delete(key));
  while (cache.size > GRID_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return cells;
}

/**
 * A cubic in columns u, v (coefficients of cubicTerms) as SQL in Horner-like form:
 * c0 + u (c1 + u (c3 + c6 u + c7 v) + v (c4 + c8 v)) + v (c2 + v (c5 + c9 v)).
 */
function cubicSql(c: number[], w: Where): string {
  const k = c.map((v) => `${w.param(v)}::float8`);
  return `(${k[0]} + u * (${k[1]} + u * (${k[3]} + ${k[6]} * u + ${k[7]} * v) + v * (${k[4]} + ${k[8]} * v)) + v * (${k[2]} + v * (${k[5]} + ${k[9]} * v)))`;
}

export interface CellCounts {
  /** appeals per cell and time slice; i and j null for appeals outside the frame's box */
  slices: { i: number | null; j: number | null; slice: number; n: number }[];
  /** the (at most) three most frequent categories of each cell */
  top: { i: number; j: number; category_id: number; n: number }[];
}

/**
 * Appeals matching the filter, registered in [from, to), per hexagon (edge `size` in plane
 * units) and time slice (k equal slices of the period, oldest 0), and the three most frequent
 * categories of each hexagon.
 *
 * The hexagon holding a point: its plane coordinates (x, y) from the frame's cubic, then the
 * axial coordinates of flat-topped hexagons, q = i and r = j − floor(i/2), rounded in cube
 * coordinates (q + r + s = 0: round each, then recompute the one that moved most), after Red
 * Blob Games, "Hexagonal Grids" (A. Patel, 2013). The projection and the rounding are
 * materialised CTEs so that the cubic is not evaluated again in every expression that uses it.
 */
export async function countPerCell(
  pool: Queryable,
  catalog: Catalog,
  frame: Frame,
  filter: IncidentFilter,
  period: { from: string; to: string; slices: number },
  size: number,
): Promise<CellCounts> {
  if (!frame.fit || !frame.box) return { slices: [], top: [] };
  const w = incidentConditions({ ...filter, from: period.from, to: period.to }, catalog);
  const from = w.param(period.from);
  const sliceSeconds = w.param((Date.parse(period.to) - Date.parse(period.from)) / 1000 / period.slices);
  const k = w.param(period.slices);
  const [b0, b1, b2, b3] = frame.box.map((v) => w.param(v));
  const lng0 = w.param(frame.fit.lng0);
  const lat0 = w.param(frame.fit.lat0);
  // The fractional axial coordinates are linear in (x, y), so cubics in (u, v) themselves:
  // q = (2/3) x / size, r = (√3/3 y − x/3) / size.
  const fq = cubicSql(
    frame.fit.cx.map((cx) => ((2 / 3) * cx) / size),
    w,
  );
  const fr = cubicSql(
    frame.fit.cx.map((cx, n) => ((Math.sqrt(3) / 3) * frame.fit!.cy[n] - cx / 3) / size),
    w,
  );
  const { rows } = await pool.query<{ kind: 'slice' | 'top'; i: number | null; j: number | null; v: number; n: number }>(
    `WITH p AS MATERIALIZED (
       SELECT ST_X(i.geom) - ${lng0}::float8 AS u, ST_Y(i.geom) - ${lat0}::float8 AS v,
              i.geom && ST_MakeEnvelope(${b0}, ${b1}, ${b2}, ${b3}, 4326) AS inside,
              least(${k}::int - 1, floor(extract(epoch FROM i.created_at - ${from}::timestamptz) / ${sliceSeconds}::float8))::int AS slice,
              i.category_id
         FROM incidents i ${w}
     ), f AS MATERIALIZED (
       SELECT ${fq} AS fq, ${fr} AS fr, inside, slice, category_id FROM p
     ), g AS MATERIALIZED (
       SELECT CASE WHEN inside THEN h.q::int END AS i, CASE WHEN inside THEN (h.r + floor(h.q / 2.0))::int END AS j,
              slice, category_id, count(*)::int AS n
         FROM f
        CROSS JOIN LATERAL (SELECT round(f.fq) AS rq, round(f.fr) AS rr, round(-f.fq - f.fr) AS rs) r
        CROSS JOIN LATERAL (SELECT abs(r.rq - f.fq) AS dq, abs(r.rr - f.fr) AS dr, abs(r.rs + f.fq + f.fr) AS ds) d
        CROSS JOIN LATERAL (SELECT CASE WHEN d.dq > d.dr AND d.dq > d.ds THEN -r.rr - r.rs ELSE r.rq END AS q,
                                   CASE WHEN d.dq > d.dr AND d.dq > d.ds THEN r.rr WHEN d.dr > d.ds THEN -r.rq - r.rs ELSE r.rr END AS r) h
        GROUP BY 1, 2, 3, 4
     )
     SELECT 'slice' AS kind, i, j, slice AS v, sum(n)::int AS n FROM g GROUP BY i, j, slice
     UNION ALL
     SELECT 'top', i, j, category_id, n
       FROM (SELECT i, j, category_id, sum(n)::int AS n, row_number() OVER (PARTITION BY i, j ORDER BY sum(n) DESC, category_id) AS rank
               FROM g WHERE i IS NOT NULL GROUP BY i, j, category_id) t
      WHERE rank <= 3`,
    w.values,
  );
  const out: CellCounts = { slices: [], top: [] };
  for (const r of rows) {
    if (r.kind === 'slice') out.slices.push({ i: r.i, j: r.j, slice: r.v, n: r.n });
    else out.top.push({ i: r.i!, j: r.j!, category_id: r.v, n: r.n });
  }
  return out;
}
