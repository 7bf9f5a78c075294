/** TileJSON 3.0.0 documents of the incident tiles and of the base map. */
import { z } from 'zod';

const vectorLayer = z.object({
  id: z.string(),
  description: z.string().optional(),
  minzoom: z.number().int().optional(),
  maxzoom: z.number().int().optional(),
  /** field name → `Number`, `String` or `Boolean` */
  fields: z.record(z.string(), z.string()),
});

const tileJson = {
  tilejson: z.literal('3.0.0'),
  name: z.string(),
  tiles: z.array(z.string()).min(1),
  minzoom: z.number().int(),
  maxzoom: z.number().int(),
  vector_layers: z.array(vectorLayer),
};

/** GET /tiles/incidents.json */
export const incidentsTileJsonSchema = z.object({
  ...tileJson,
  description: z.string(),
  scheme: z.literal('xyz'),
  /** [minLng, minLat, maxLng, maxLat] */
  bounds: z.array(z.number()).length(4),
  /** [lng, lat, zoom] */
  center: z.array(z.number()).length(3),
  attribution: z.string(),
});

/** GET /tiles/basemap.json */
export const basemapTileJsonSchema = z.object({ ...tileJson, attribution: z.string().nullable(), demo: z.boolean() });

/** GET /tiles/basemap/sprite[@2x].json: icon name → its box in the sprite image (pixels). */
export const spriteIndexSchema = z.record(
  z.string(),
  z.looseObject({ x: z.number(), y: z.number(), width: z.number(), height: z.number(), pixelRatio: z.number() }),
);
export type IncidentsTileJson = z.infer<typeof incidentsTileJsonSchema>;
export type BasemapTileJson = z.infer<typeof basemapTileJsonSchema>;
