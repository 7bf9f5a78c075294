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
