import { fromGeojsonVt } from '@maplibre/vt-pbf';
import { EXTENT } from './tile-sql.ts';

/** A point feature in tile coordinates (0 … EXTENT, y downwards). */
export interface TilePoint {
  id?: number;
  x: number;
  y: number;
  properties: Record<string, string | number | boolean | null | undefined>;
}

/**
 * Encodes point layers as a Mapbox Vector Tile (spec version 2), the way ST_AsMVT does:
 * null properties left out, empty layers left out. Used where PostGIS lacks ST_AsMVT.
 */
export function encodePointTile(layers: Record<string, TilePoint[]>): Uint8Array {
  const tiles: Record<string, { features: unknown[] }> = {};
  for (const [name, points] of Object.entries(layers)) {
    if (!points.length) continue;
    tiles[name] = {
      features: points.map((p) => ({
        type: 1,
        geometry: [[p.x, p.y]],
        tags: Object.fromEntries(Object.entries(p.properties).filter(([, v]) => v !== null && v !== undefined)),
        ...(p.id !== undefined ? { id: p.id } : {}),
      })),
    };
  }
  return fromGeojsonVt(tiles as never, { version: 2, extent: EXTENT });
}

/** A feature in tile coordinates: points, lines, or polygon rings (exterior then holes). */
export interface TileGeometryFeature {
  /** 1 point(s), 2 line(s), 3 polygon(s), as in the MVT spec. */
  type: 1 | 2 | 3;
  /** Type 1: one list of points; 2: one list per line; 3: one per ring, wound as MVT wants. */
  geometry: [number, number][][];
  properties: Record<string, string | number | boolean | null | undefined>;
}

/**
 * Encodes layers of points, lines and polygons already in tile coordinates (clipped,
 * simplified and wound by the caller) as a Mapbox Vector Tile, version 2: null properties
 * and empty layers left out, as ST_AsMVT does.
 */
export function encodeGeometryTile(layers: Record<string, TileGeometryFeature[]>): Uint8Array {
  const tiles: Record<string, { features: unknown[] }> = {};
  for (const [name, features] of Object.entries(layers)) {
    if (!features.length) continue;
    tiles[name] = {
      features: features.map((f) => ({
        type: f.type,
        geometry: f.type === 1 ? f.geometry[0] : f.geometry,
        tags: Object.fromEntries(Object.entries(f.properties).filter(([, v]) => v !== null && v !== undefined)),
      })),
    };
  }
  return fromGeojsonVt(tiles as never, { version: 2, extent: EXTENT });
}
