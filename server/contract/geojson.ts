/**
 * GeoJSON (RFC 7946) building blocks of the API's answers: positions are [lng, lat] in WGS 84
 * degrees. The feature and collection helpers keep each answer's properties its own schema.
 */
import { z } from 'zod';

/** A name in the three interface languages. */
export const namesSchema = z.object({ kk: z.string(), ru: z.string(), en: z.string() });

const position = z.array(z.number()).min(2);
export const pointSchema = z.object({ type: z.literal('Point'), coordinates: position });
export const polygonSchema = z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(position)) });
export const multiPolygonSchema = z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(z.array(position))) });
export const areaSchema = z.union([polygonSchema, multiPolygonSchema]);

/** A Feature with the given geometry and properties; `id` a number or a string. */
export function featureSchema<G extends z.ZodType, P extends z.ZodType>(geometry: G, properties: P) {
  return z.object({
    type: z.literal('Feature'),
    id: z.union([z.number(), z.string()]).optional(),
    geometry,
    properties,
  });
}

/** A FeatureCollection of such features; `extra` adds the collection's own members. */
export function featureCollectionSchema<F extends z.ZodType, E extends z.ZodRawShape = Record<never, never>>(feature: F, extra?: E) {
  return z.object({ type: z.literal('FeatureCollection'), features: z.array(feature), ...(extra ?? ({} as E)) });
}

/** Any GeoJSON geometry (places may be lines: a street). */
export const geometrySchema = z.looseObject({
  type: z.enum(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection']),
});
