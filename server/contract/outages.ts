/** Answers of the outage register (server/outages): outages and planned works as GeoJSON. Times ISO 8601 (UTC). */
import { z } from 'zod';
import { featureCollectionSchema, featureSchema, multiPolygonSchema, namesSchema } from './geojson.ts';

const time = z.string();
/** A notice per language; a language nobody wrote is null. */
const noticeSchema = z.object({ kk: z.string().nullable(), ru: z.string().nullable(), en: z.string().nullable() });

/** An outage's properties; `created_by` only for the register's keepers (admin, dispatcher, supervisor). */
export const outagePropertiesSchema = z.object({
  id: z.number().int(),
  kind: z.enum(['emergency', 'planned']),
  status: z.enum(['planned', 'active', 'overdue', 'ended']),
  services: z.array(z.object({ code: z.string(), name: namesSchema })),
  starts_at: time,
  expected_end_at: time,
  ended_at: time.nullable(),
  /** redacted for readers who do not keep the register */
  notice: noticeSchema,
  /** appeals answered from this outage */
  call_count: z.number().int(),
  affected: z.object({
    /** addresses inside the area (null when the gazetteer holds none) */
    addresses: z.number().int().nullable(),
    /** people: each district's population × the share of its area covered */
    people: z.number().int().nullable(),
    method: z.enum(['population_share', 'addresses']),
  }),
  /** how the area was made: drawn, or gazetteer places buffered (`places`, `buffer_m`) */
  area_source: z.looseObject({ kind: z.string() }).nullable(),
  created_at: time,
  updated_at: time,
  version: z.number().int(),
  created_by: z.number().int().nullable().optional(),
});

/** One row of an outage's history (keepers only). */
export const outageEventSchema = z.object({
  at: time,
  actor_id: z.number().int().nullable(),
  action: z.string(),
  data: z.unknown(),
});

/** GET /api/outages/{id}, and the answers of POST, PATCH and close: the feature, with its history for keepers. */
export const outageSchema = featureSchema(multiPolygonSchema, outagePropertiesSchema).extend({
  events: z.array(outageEventSchema).optional(),
});

/** GET /api/outages */
export const outageListSchema = featureCollectionSchema(featureSchema(multiPolygonSchema, outagePropertiesSchema), {
  numberReturned: z.number().int(),
});

export type OutageFeature = z.infer<typeof outageSchema>;
export type OutageList = z.infer<typeof outageListSchema>;
