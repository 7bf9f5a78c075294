import type { Where } from '../incidents/filters.ts';
import { activeSql, overdueSql } from '../domain/statuses.ts';

/**
 * The SQL of an incident vector tile, in Web Mercator (EPSG:3857) tile coordinates with the
 * origin at the top left. One builder serves both engines: PostgreSQL encodes the tile itself
 * (`ST_AsMVT` over `ST_AsMVTGeom`); the embedded PGlite, built without protobuf support, gets
 * the same features with their tile coordinates computed in SQL and encodes them in JS.
 */

/** Tile coordinate units per side (the MVT default). */
export const EXTENT = 4096;
/** Points this many units outside the tile are kept, so symbols at an edge are not cut. */
export const BUFFER = 64;
/**
 * From this zoom on a tile carries every appeal; below it, grid cells with counts. Not 14: a
 * z14 tile is 2.4 km wide, and in a city centre with a large backlog (Astana's, 100,000 open)
 * it holds thousands of appeals, half a megabyte of overlapping dots; 300 m cells read better
 * and weigh a few kilobytes. A z15 tile holds a quarter as many.
 */
export const POINT_MIN_ZOOM = 15;
/**
 * Grid cells per tile side below POINT_MIN_ZOOM: 8 × 8 cells of 512 units. MapLibre draws a
 * vector tile 512 px wide at its own zoom (362–724 px as the map zooms between tile levels), so
 * cells are ~64 px apart on screen: room for one cluster ring each.
 */
export const CELLS_PER_TILE = 8;
/** Deepest zoom served; clients overzoom beyond it. */
export const MAX_ZOOM = 22;

export const POINT_LAYER = 'incidents';
export const CELL_LAYER = 'cells';

/** Half the width of the Web Mercator square, metres (EPSG:3857). */
export const MERCATOR_HALF_WIDTH = 20037508.342789244;
/** The sphere of Web Mercator (the WGS 84 semi-major axis), metres. */
export const EARTH_RADIUS = 6378137;

export interface TileId {
  z: number;
  x: number;
  y: number;
}

/** True when z/x/y names a tile of the Web Mercator pyramid (x, y in 0 … 2^z − 1). */
export function isValidTile({ z, x, y }: TileId): boolean {
  const n = 2 ** z;
  return Number.isInteger(z) && Number.isInteger(x) && Number.isInteger(y) && z >= 0 && z <= MAX_ZOOM && x >= 0 && y >= 0 && x < n && y < n;
}

/** A tile's envelope in EPSG:3857 metres, as ST_TileEnvelope computes it. */
export function tileBounds({ z, x, y }: TileId) {
  const size = (2 * MERCATOR_HALF_WIDTH) / 2 ** z;
  return {
    xmin: -MERCATOR_HALF_WIDTH + x * size,
    xmax: -MERCATOR_HALF_WIDTH + (x + 1) * size,
    ymin: MERCATOR_HALF_WIDTH - (y + 1) * size,
    ymax: MERCATOR_HALF_WIDTH - y * size,
  };
}

export type TileMode = 'mvt' | 'rows';

/**
 * Where a tile's appeals come from: `open` is open_incident_points (the backlog's narrow copy,
 * points already in EPSG:3857), for filters that keep to open appeals and search no text;
 * `all` is the incidents table itself.
 */
export type TileSource = 'open' | 'all' | 'cells';

/**
 * The squares of open_incident_cells (migration 028): 2^CELL_GRID per side of the Web Mercator
 * square. A tile's 8 × 8 cells are whole squares up to zoom CELL_GRID − 3.
 */
export const CELL_GRID = 15;
/** Deepest zoom whose tiles can be drawn from open_incident_cells. */
export const CELLS_MAX_ZOOM = CELL_GRID - 3;
/** Thirty days and ten days in seconds: the heat weight's age cap and its unit. */
const AGE_CAP_S = 2_592_000;
const AGE_UNIT_S = 864_000;

const OVERDUE = overdueSql();
/**
 * Heat weight of one appeal for the client's heatmap: priority 1 (critical) weighs 4, priority 4
 * weighs 1; age adds up to +300 % over 30 days (the same formula as /api/map/clusters).
 */
const WEIGHT = `((5 - i.priority) * (1 + least(date_part('epoch', now() - i.created_at) / 86400.0, 30) / 10))`;
// Tile coordinates of a 3857 point in the tile envelope `b.e`, y downwards.
const px = (x: string) => `round((${x} - ST_XMin(b.e)) * ${EXTENT} / (ST_XMax(b.e) - ST_XMin(b.e)))::int`;
const py = (y: string) => `round((ST_YMax(b.e) - ${y}) * ${EXTENT} / (ST_YMax(b.e) - ST_YMin(b.e)))::int`;

/** The tile's envelope as the CTE `bounds` (column `e`), from the tile's parameters. */
const boundsCte = (z: string, x: string, y: string) => `bounds AS (SELECT ST_TileEnvelope(${z}::int, ${x}::int, ${y}::int) AS e)`;

/**
 * A cell's sphere (the one with most appeals in it; ties: the first code) and its mix "code:n,…"
 * (most first), from rows `sphere`, `n` of one cell (both cell sources).
 */
const SPHERE_AND_MIX = `(array_agg(sphere ORDER BY n DESC, sphere))[1] AS sphere,
             string_agg(sphere || ':' || n, ',' ORDER BY n DESC, sphere) FILTER (WHERE sphere IS NOT NULL) AS mix`;

/**
 * The cell layer from a CTE `cells` (cx, cy, count, overdue, sphere, mix, weight, id, and the
 * mean Mercator point mx, my): one attribute list for every way the cells are summed.
 */
function cellLayerSql(bounds: string, cells: string, mode: TileMode): string {
  const props = 'k.count, k.overdue, k.sphere, k.mix, k.weight, k.id';
  return mode === 'mvt'
    ? `WITH ${bounds}, ${cells}
       SELECT ST_AsMVT(t, '${CELL_LAYER}', ${EXTENT}, 'geom') AS mvt
         FROM (SELECT ${props}, ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(k.mx, k.my), 3857), b.e, ${EXTENT}, 0, false) AS geom
                 FROM cells k, bounds b ORDER BY k.cy, k.cx) t`
    : `WITH ${bounds}, ${cells}
       SELECT ${props}, ${px('k.mx')} AS px, ${py('k.my')} AS py FROM cells k, bounds b ORDER BY k.cy, k.cx`;
}

/**
 * SQL and values for one tile. `where` holds the incident filters on `incidents i` (it is
 * extended here). Mode `mvt` returns one row `{ mvt: Buffer }`; mode `rows` returns one row per
 * feature with its tile coordinates `px`, `py` and properties.
 */
export function tileQuery(
  t: TileId,
  where: Where,
  mode: TileMode,
  source: TileSource = 'all',
): { sql: string; values: unknown[]; layer: string } {
  if (source === 'cells') return cellTileQuery(t, where, mode);
  const [z, x, y] = [where.param(t.z), where.param(t.x), where.param(t.y)];
  const points = t.z >= POINT_MIN_ZOOM;
  const open = source === 'open';
  const table = open ? 'open_incident_points' : 'incidents';
  const b = tileBounds(t);
  if (open && !points) {
    // Cells from the narrow copy: its plain Mercator numbers, half-open edges (left and top
    // inclusive), so each appeal counts in one tile; estimated from the columns' statistics.
    const [xmin, xmax, ymin, ymax] = [b.xmin, b.xmax, b.ymin, b.ymax].map((v) => `${where.param(v)}::float8`);
    where.add(`i.x >= ${xmin} AND i.x < ${xmax} AND i.y > ${ymin} AND i.y <= ${ymax}`);
  } else {
    // Points keep a buffer; cells belong to one tile only. On incidents the index sees a box in
    // degrees: a tile's edges are meridians and parallels, so the transformed envelope is exact.
    const margin = points ? where.param(BUFFER / EXTENT) : where.param(0);
    const envelope = `ST_TileEnvelope(${z}::int, ${x}::int, ${y}::int, margin => ${margin}::float8)`;
    where.add(open ? `i.g && ${envelope}` : `i.geom && ST_Transform(${envelope}, 4326)`);
  }
  const mercator = open ? 'i.g' : 'ST_Transform(i.geom, 3857)';
  const bounds = boundsCte(z, x, y);

  if (points) {
    const pts = `pts AS (
      SELECT i.id, i.number, c.code AS category, s.code AS sphere, i.status, i.priority, ${OVERDUE} AS overdue,
             round(${WEIGHT}::numeric, 2)::float8 AS weight, ${mercator} AS g
        FROM ${table} i JOIN categories c ON c.id = i.category_id LEFT JOIN categories s ON s.id = c.sphere_id
        ${where})`;
    const props = 'p.id, p.number, p.category, p.sphere, p.status, p.priority, p.overdue, p.weight';
    const sql =
      mode === 'mvt'
        ? `WITH ${bounds}, ${pts}
           SELECT ST_AsMVT(t, '${POINT_LAYER}', ${EXTENT}, 'geom', 'fid') AS mvt
             FROM (SELECT p.id AS fid, ${props}, ST_AsMVTGeom(p.g, b.e, ${EXTENT}, ${BUFFER}, true) AS geom
                     FROM pts p, bounds b ORDER BY p.id) t
            WHERE t.geom IS NOT NULL`
        : `WITH ${bounds}, ${pts}
           SELECT * FROM (SELECT ${props}, ${px('ST_X(p.g)')} AS px, ${py('ST_Y(p.g)')} AS py FROM pts p, bounds b) t
            WHERE t.px BETWEEN ${-BUFFER} AND ${EXTENT + BUFFER} AND t.py BETWEEN ${-BUFFER} AND ${EXTENT + BUFFER}
            ORDER BY t.id`;
    return { sql, values: where.values, layer: POINT_LAYER };
  }

  // Cells: a grid aligned on tile edges, so each appeal counts in exactly one cell of one tile
  // (edges half-open: left and top inclusive). A cell's point is the mean position of its
  // appeals; `sphere` is the sphere with most appeals in it (ties: the first code); `mix` the
  // count per sphere as "code:n,code:n" (most first; MVT values cannot be maps), for the
  // client's rings; `weight` the summed heat weight; `id` the appeal of a cell that holds one.
  // At low zoom a tile may hold the city's whole history: on incidents, points are projected
  // with the spherical Mercator formula (what ST_Transform to 3857 computes, without PROJ per
  // row; the narrow copy stores them projected) and counted per category before the categories are joined, so the join sees hundreds of rows.
  const [xmin, ymax, cell] = [b.xmin, b.ymax, (b.xmax - b.xmin) / CELLS_PER_TILE].map((v) => `${where.param(v)}::float8`);
  const cellOf = `floor((mx - ${xmin}) / ${cell})::int AS cx, floor((${ymax} - my) / ${cell})::int AS cy`;
  const sums = 'count(*) AS n, count(*) FILTER (WHERE overdue) AS od, sum(mx) AS sx, sum(my) AS sy, sum(weight) AS sw, min(id) AS any_id';
  const cells = `pts AS (
      SELECT i.id, i.category_id, ${open ? 'i.sphere_id, ' : ''}${OVERDUE} AS overdue, ${WEIGHT} AS weight,
             ${open ? 'i.x' : `ST_X(i.geom) * ${MERCATOR_HALF_WIDTH} / 180`} AS mx,
             ${open ? 'i.y' : `ln(tan(pi() / 4 + radians(ST_Y(i.geom)) / 2)) * ${EARTH_RADIUS}`} AS my
        FROM ${table} i
        ${where}
    ), ${
      open
        ? // The copy knows each appeal's sphere: one grouping, then the codes of a few hundred groups.
          `by_sphere AS (
      SELECT k.cx, k.cy, s.code AS sphere, k.n, k.od, k.sx, k.sy, k.sw, k.any_id
        FROM (SELECT ${cellOf}, sphere_id, ${sums} FROM pts GROUP BY 1, 2, 3) k
        LEFT JOIN categories s ON s.id = k.sphere_id`
        : `by_category AS (
      SELECT ${cellOf}, category_id, ${sums}
        FROM pts
       WHERE mx >= ${xmin} AND mx < ${where.param(b.xmax)}::float8 AND my > ${where.param(b.ymin)}::float8 AND my <= ${ymax}
       GROUP BY 1, 2, 3
    ), by_sphere AS (
      SELECT k.cx, k.cy, s.code AS sphere, sum(k.n) AS n, sum(k.od) AS od, sum(k.sx) AS sx, sum(k.sy) AS sy,
             sum(k.sw) AS sw, min(k.any_id) AS any_id
        FROM by_category k JOIN categories c ON c.id = k.category_id LEFT JOIN categories s ON s.id = c.sphere_id
       GROUP BY 1, 2, 3`
    }
    ), cells AS (
      SELECT cx, cy, sum(n)::int AS count, sum(od)::int AS overdue,
             ${SPHERE_AND_MIX},
             round(sum(sw)::numeric, 2)::float8 AS weight,
             CASE WHEN sum(n) = 1 THEN min(any_id) END AS id,
             sum(sx) / sum(n) AS mx, sum(sy) / sum(n) AS my
        FROM by_sphere GROUP BY cx, cy)`;
  return { sql: cellLayerSql(bounds, cells, mode), values: where.values, layer: CELL_LAYER };
}

/** SQL: the column of the CELL_GRID square holding Mercator x (as in migration 028). */
const squareX = (x: string) => `floor((${x} + ${MERCATOR_HALF_WIDTH}) * ${2 ** CELL_GRID} / ${2 * MERCATOR_HALF_WIDTH})::int`;
const squareY = (y: string) => `floor((${MERCATOR_HALF_WIDTH} - ${y}) * ${2 ** CELL_GRID} / ${2 * MERCATOR_HALF_WIDTH})::int`;

/**
 * A cell tile (zoom ≤ CELLS_MAX_ZOOM) of the open appeals with no other filter, summed from
 * open_incident_cells instead of grouping every appeal: the same features and properties as
 * the `open` source. The clock-dependent parts are read at this query's now(): `overdue` is the
 * cells' lapsed count plus the active appeals whose deadline passed since their flag was last
 * set; the weight's age term is exact from the sums, corrected for the appeals that turned 30
 * days old since their flag was last set (both found by partial indexes, a handful of rows).
 */
function cellTileQuery(t: TileId, where: Where, mode: TileMode): { sql: string; values: unknown[]; layer: string } {
  if (t.z > CELLS_MAX_ZOOM) throw new Error(`cell tiles from open_incident_cells go to zoom ${CELLS_MAX_ZOOM}`);
  const shift = CELL_GRID - t.z - 3; // squares per cell side: 2^shift
  const side = 2 ** (CELL_GRID - t.z); // squares per tile side
  const [gx0, gy0] = [t.x * side, t.y * side];
  const p = (v: number) => `${where.param(v)}::int`;
  const [x0, x1, y0, y1, sh, ox, oy] = [p(gx0), p(gx0 + side - 1), p(gy0), p(gy0 + side - 1), p(shift), p(t.x * 8), p(t.y * 8)];
  const cellOf = (gx: string, gy: string) => `(${gx} >> ${sh}) - ${ox} AS cx, (${gy} >> ${sh}) - ${oy} AS cy`;
  const pointSquares = `SELECT p.*, ${squareX('p.x')} AS gx, ${squareY('p.y')} AS gy FROM open_incident_points p`;
  const inTile = `gx BETWEEN ${x0} AND ${x1} AND gy BETWEEN ${y0} AND ${y1}`;
  const [z, x, y] = [where.param(t.z), where.param(t.x), where.param(t.y)];
  const bounds = boundsCte(z, x, y);
  const cells = `by_sphere AS (
      SELECT k.cx, k.cy, s.code AS sphere, k.n, k.sx, k.sy, k.sid, k.la, k.q, k.qa, k.qc
        FROM (SELECT ${cellOf('c.gx', 'c.gy')}, c.sphere_id, sum(c.n) AS n, sum(c.sx) AS sx, sum(c.sy) AS sy,
                     sum(c.sid) AS sid, sum(c.la) AS la, sum(c.q) AS q, sum(c.qa) AS qa, sum(c.qc) AS qc
                FROM open_incident_cells c
               WHERE c.gx BETWEEN ${x0} AND ${x1} AND c.gy BETWEEN ${y0} AND ${y1}
               GROUP BY 1, 2, 3 HAVING sum(c.n) <> 0) k
        LEFT JOIN categories s ON s.id = k.sphere_id
    ), lapsed AS (
      SELECT ${cellOf('gx', 'gy')}, count(*) AS od
        FROM (${pointSquares} WHERE NOT p.lapsed AND p.due_at < now() AND ${activeSql('p')}) l
       WHERE ${inTile} GROUP BY 1, 2
    ), aged AS (
      SELECT ${cellOf('gx', 'gy')}, sum((5 - priority) * (${AGE_CAP_S} - (extract(epoch FROM now()) - extract(epoch FROM created_at)))) AS dw
        FROM (${pointSquares} WHERE NOT p.aged AND p.created_at <= now() - interval '${AGE_CAP_S} seconds') a
       WHERE ${inTile} GROUP BY 1, 2
    ), sums AS (
      SELECT cx, cy, sum(n) AS n, sum(la) AS la, sum(q) AS q, sum(qa) AS qa, sum(qc) AS qc, sum(sx) AS sx, sum(sy) AS sy, sum(sid) AS sid,
             ${SPHERE_AND_MIX}
        FROM by_sphere GROUP BY cx, cy
    ), cells AS (
      SELECT k.cx, k.cy, k.n::int AS count, (k.la + coalesce(l.od, 0))::int AS overdue, k.sphere, k.mix,
             round((k.q + (${AGE_CAP_S} * k.qa + extract(epoch FROM now()) * (k.q - k.qa) - k.qc + coalesce(a.dw, 0)) / ${AGE_UNIT_S}), 2)::float8 AS weight,
             CASE WHEN k.n = 1 THEN k.sid::bigint END AS id,
             k.sx / k.n AS mx, k.sy / k.n AS my
        FROM sums k LEFT JOIN lapsed l USING (cx, cy) LEFT JOIN aged a USING (cx, cy))`;
  return { sql: cellLayerSql(bounds, cells, mode), values: where.values, layer: CELL_LAYER };
}
