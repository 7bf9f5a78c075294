import type { Geometry, Position } from 'geojson';
import type pg from 'pg';
import { encodeGeometryTile, type TileGeometryFeature } from '../tiles/encode.ts';
import type { TileEncoder } from '../tiles/render.ts';
import type { TileId } from '../tiles/tile-sql.ts';
import { BASEMAP_LAYERS, BASEMAP_MIN_ZOOM, basemapTileQuery } from './tile-sql.ts';

interface FeatureRow {
  layer: string;
  class: string | null;
  name: string | null;
  name_kk: string | null;
  name_ru: string | null;
  name_en: string | null;
  /** GeoJSON in tile coordinates (integers, y downwards). */
  geom: string;
}

/** Twice the signed area of a ring by the surveyor's formula, in tile coordinates (y downwards). */
function ringArea(ring: Position[]): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
  return a;
}

/** A polygon's rings wound as MVT wants: the exterior with positive area, holes negative. */
function windPolygon(rings: Position[][]): [number, number][][] {
  const kept = rings.filter((r) => r.length >= 4 && ringArea(r) !== 0);
  // Snapped to whole tile units, a small exterior can collapse: the polygon goes, holes too.
  if (!rings.length || kept[0] !== rings[0]) return [];
  return kept.map((ring, i) => {
    const r = ring.map((p) => [p[0], p[1]] as [number, number]);
    return (i === 0) === ringArea(ring) > 0 ? r : r.reverse();
  });
}

/** One GeoJSON geometry in tile coordinates as an MVT feature's type and rings, or null when nothing is left. */
export function tileGeometry(g: Geometry): Pick<TileGeometryFeature, 'type' | 'geometry'> | null {
  const xy = (p: Position) => [p[0], p[1]] as [number, number];
  switch (g.type) {
    case 'Point':
      return { type: 1, geometry: [[xy(g.coordinates)]] };
    case 'MultiPoint':
      return g.coordinates.length ? { type: 1, geometry: [g.coordinates.map(xy)] } : null;
    case 'LineString':
      return g.coordinates.length >= 2 ? { type: 2, geometry: [g.coordinates.map(xy)] } : null;
    case 'MultiLineString': {
      const lines = g.coordinates.filter((l) => l.length >= 2).map((l) => l.map(xy));
      return lines.length ? { type: 2, geometry: lines } : null;
    }
    case 'Polygon': {
      const rings = windPolygon(g.coordinates);
      return rings.length ? { type: 3, geometry: rings } : null;
    }
    case 'MultiPolygon': {
      const rings = g.coordinates.flatMap(windPolygon);
      return rings.length ? { type: 3, geometry: rings } : null;
    }
    case 'GeometryCollection': {
      // Clipping can leave a collection; keep its first part of the richest kind.
      const parts = g.geometries.map(tileGeometry).filter((p) => p !== null);
      const best = parts.sort((a, b) => b.type - a.type)[0];
      return best ? { type: best.type, geometry: parts.filter((p) => p.type === best.type).flatMap((p) => p.geometry) } : null;
    }
  }
}

/**
 * One base-map tile as MVT bytes, or null when it has no features. The same SQL selects and
 * simplifies the features on both engines; PostgreSQL encodes them, on PGlite this does.
 */
export async function renderBasemapTile(pool: pg.Pool, tile: TileId, encoder: TileEncoder): Promise<Uint8Array | null> {
  if (tile.z < BASEMAP_MIN_ZOOM) return null;
  if (encoder === 'postgis') {
    const { sql, values } = basemapTileQuery(tile, 'mvt');
    const { rows } = await pool.query<{ mvt: Buffer | null }>(sql, values);
    const bytes = rows[0]?.mvt;
    return bytes && bytes.byteLength ? new Uint8Array(bytes) : null;
  }
  const { sql, values } = basemapTileQuery(tile, 'rows');
  const { rows } = await pool.query<FeatureRow>(sql, values);
  const layers: Record<string, TileGeometryFeature[]> = Object.fromEntries(BASEMAP_LAYERS.map((l) => [l, []]));
  for (const { layer, geom, ...properties } of rows) {
    const g = tileGeometry(JSON.parse(geom) as Geometry);
    if (g) layers[layer].push({ ...g, properties });
  }
  if (!Object.values(layers).some((l) => l.length)) return null;
  return encodeGeometryTile(layers);
}
