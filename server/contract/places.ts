/** Answers of the district layer and of the geocoder (GeoJSON). */
import { z } from 'zod';
import { areaSchema, featureCollectionSchema, featureSchema, geometrySchema, namesSchema } from './geojson.ts';

/** GET /api/districts: districts with the appeals matching the filters. */
export const districtsSchema = featureCollectionSchema(
  featureSchema(
    areaSchema,
    z.object({
      id: z.number().int(),
      code: z.string(),
      name: namesSchema,
      population: z.number().nullable(),
      approximate: z.boolean(),
      count: z.number().int(),
      open: z.number().int(),
      overdue: z.number().int(),
      /** open appeals per 10,000 residents */
      per10k: z.number().nullable(),
    }),
  ),
);

/** A place the geocoder found; names as the gazetteer has them (a language may be missing). */
export const placeSchema = featureSchema(
  geometrySchema,
  z.looseObject({
    kind: z.enum(['address', 'street', 'intersection', 'place', 'poi', 'district']),
    name: z.looseObject({}),
    street: z.string().nullable().optional(),
    housenumber: z.string().nullable().optional(),
    district: z.looseObject({ code: z.string() }).nullable().optional(),
    score: z.number().optional(),
  }),
);

/** GET /api/places/search */
export const placeSearchSchema = featureCollectionSchema(placeSchema);

/** GET /api/places/reverse: the nearest address and street (as features too) and the district. */
export const placeReverseSchema = featureCollectionSchema(placeSchema, {
  address: placeSchema.nullable(),
  street: placeSchema.nullable(),
  district: z.looseObject({ code: z.string() }).nullable(),
});
