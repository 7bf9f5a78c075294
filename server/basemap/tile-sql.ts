import { BUFFER, EXTENT, MERCATOR_HALF_WIDTH, type TileId, type TileMode } from '../tiles/tile-sql.ts';

/**
 * The SQL of a base-map vector tile from `basemap_features` (every import source: an
 * OpenStreetMap extract, the demo layout) and the gazetteer's places (labels). One builder for
 * both engines, like the incident tiles: PostgreSQL encodes with `ST_AsMVT`; PGlite, without
 * protobuf, gets each feature's geometry already clipped, simplified and in tile coordinates
 * (GeoJSON of integers, y downwards) and encodes in JS (render.ts).
 */

/** Layers of a base-map tile, in the order they are written. */
export const BASEMAP_LAYERS = ['water', 'parks', 'buildings', 'rail', 'roads', 'places'] as const;
export type BasemapLayer = (typeof BASEMAP_LAYERS)[number];

/** Below this zoom a tile is empty: the map does not zoom out that far (MapView's minZoom 8). */
export const BASEMAP_MIN_ZOOM = 6;
/** Buildings from this zoom on (a z14 tile is 2.4 km wide: a city quarter). */
export const BUILDINGS_MIN_ZOOM = 14;
/** Beyond this zoom tiles hold nothing new; the style's source stops here and MapLibre overzooms. */
export const BASEMAP_MAX_ZOOM = 16;

/**
 * Road classes (OSM highway=*) drawn from a zoom on: the city's skeleton first, every lane at
 * street zoom. A class not listed here (construction, proposed, platform…) is never drawn.
 */
export const ROAD_MIN_ZOOM: Record<string, number> = {
  motorway: 6,
  trunk: 6,
  primary: 8,
  motorway_link: 10,
  trunk_link: 10,
  primary_link: 11,
  secondary: 10,
  secondary_link: 12,
  tertiary: 11,
  tertiary_link: 12,
  residential: 13,
  unclassified: 13,
  living_street: 13,
  road: 13,
  service: 14,
  pedestrian: 14,
  track: 14,
  footway: 15,
  path: 15,
  cycleway: 15,
  steps: 15,
};

/** Classes of place labelled from a zoom on (OSM place=*; the gazetteer's `class`). */
export const PLACE_MIN_ZOOM: Record<string, number> = {
  city: 6,
  town: 8,
  suburb: 11,
  village: 10,
  quarter: 12,
  neighbourhood: 13,
  hamlet: 13,
};

/** The road classes a tile at zoom z carries. */
export const roadClassesAt = (z: number) => Object.keys(ROAD_MIN_ZOOM).filter((c) => ROAD_MIN_ZOOM[c] <= z);
export const placeClassesAt = (z: number) => Object.keys(PLACE_MIN_ZOOM).filter((c) => PLACE_MIN_ZOOM[c] <= z);

/** Metres of one tile unit at zoom z (the Web Mercator square over EXTENT units per tile). */
export const unitMetres = (z: number) => (2 * MERCATOR_HALF_WIDTH) / 2 ** z / EXTENT;

/**
 * SQL and values for one base-map tile. Mode `mvt`: one row `{ mvt }`. Mode `rows`: one row per
 * feature, `{ layer, class, name, name_kk, name_ru, name_en, geom }` with `geom` a GeoJSON
 * geometry in tile coordinates (0 … EXTENT, y downwards, BUFFER units of margin).
 */
export function basemapTileQuery(t: TileId, mode: TileMode): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const p = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const [z, x, y] = [p(t.z), p(t.x), p(t.y)];
  const unit = unitMetres(t.z);
  const envelope = `ST_TileEnvelope(${z}::int, ${x}::int, ${y}::int)`;
  const margin = p(BUFFER / EXTENT);
  // Geometry simplified to about one tile unit (an eighth of a pixel at 512 px a tile), and
  // areas under four square pixels left out below street zoom.
  const tolerance = `${p(unit)}::float8`;
  const minArea = `${p(t.z >= BUILDINGS_MIN_ZOOM ? 0 : (unit * 8) ** 2 * 4)}::float8`;
  const layers = [...BASEMAP_LAYERS.filter((l) => l !== 'places' && (l !== 'buildings' || t.z >= BUILDINGS_MIN_ZOOM))];
  const features = `feats AS (
      SELECT f.id, f.layer, f.class, f.name, f.names, ST_Simplify(ST_Transform(f.geom, 3857), ${tolerance}, false) AS g
        FROM basemap_features f, box
       WHERE f.geom && box.e4326 AND f.layer = ANY(${p(layers)}::text[])
         ${t.z >= BUILDINGS_MIN_ZOOM ? '' : `AND f.layer <> 'buildings'`}
         AND (f.layer <> 'roads' OR f.class = ANY(${p(roadClassesAt(t.z))}::text[]))
         AND (f.layer <> 'rail' OR ${z}::int >= 11)
         AND (f.layer <> 'parks' OR ${z}::int >= 10)
      UNION ALL
      SELECT pl.id, 'places', pl.class, pl.names->>'name', pl.names, ST_Transform(pl.geom, 3857)
        FROM places pl, box
       WHERE pl.kind = 'place' AND pl.geom && box.e4326 AND pl.class = ANY(${p(placeClassesAt(t.z))}::text[])
    ), kept AS (
      SELECT * FROM feats
       WHERE g IS NOT NULL AND NOT ST_IsEmpty(g)
         AND (GeometryType(g) NOT LIKE '%POLYGON' OR ST_Area(g) >= ${minArea})
    )`;
  // The index sees a box in degrees: a tile's edges are meridians and parallels, so the
  // transformed envelope with its margin is exact.
  const box = `box AS (SELECT ${envelope} AS e, ST_Transform(ST_TileEnvelope(${z}::int, ${x}::int, ${y}::int, margin => ${margin}::float8), 4326) AS e4326)`;
  const props = `k.class, k.name, k.names->>'kk' AS name_kk, k.names->>'ru' AS name_ru, k.names->>'en' AS name_en`;
  // Written in layer order, then by id so the bytes of a tile do not change between renders.
  const layerRank = `array_position(ARRAY[${BASEMAP_LAYERS.map((l) => `'${l}'`).join(',')}], k.layer)`;
  if (mode === 'mvt') {
    const perLayer = BASEMAP_LAYERS.map(
      (l) => `coalesce((SELECT ST_AsMVT(t, '${l}', ${EXTENT}, 'geom') FROM (
           SELECT ${props}, ST_AsMVTGeom(k.g, box.e, ${EXTENT}, ${BUFFER}, true) AS geom
             FROM kept k, box WHERE k.layer = '${l}' ORDER BY k.id) t WHERE t.geom IS NOT NULL), ''::bytea)`,
    );
    return { sql: `WITH ${box}, ${features} SELECT ${perLayer.join(' || ')} AS mvt`, values };
  }
  // Tile coordinates: x from the left edge, y from the top edge, EXTENT units a side; clipped to
  // the margin first (ST_ClipByBox2D keeps what crosses the box), snapped to whole units.
  const scale = `${EXTENT}::float8 / (ST_XMax(box.e) - ST_XMin(box.e))`;
  const clip = `ST_ClipByBox2D(k.g, ST_Expand(box.e, (ST_XMax(box.e) - ST_XMin(box.e)) * ${margin}::float8))`;
  const affine = `ST_Affine(${clip}, ${scale}, 0, 0, -${scale}, -ST_XMin(box.e) * ${scale}, ST_YMax(box.e) * ${scale})`;
  const sql = `WITH ${box}, ${features}
    SELECT t.layer, t.class, t.name, t.name_kk, t.name_ru, t.name_en, ST_AsGeoJSON(t.geom, 0) AS geom FROM (
      SELECT k.layer, ${props}, ST_RemoveRepeatedPoints(ST_SnapToGrid(${affine}, 1)) AS geom, ${layerRank} AS rank, k.id
        FROM kept k, box) t
     WHERE NOT ST_IsEmpty(t.geom) ORDER BY t.rank, t.id`;
  return { sql, values };
}
