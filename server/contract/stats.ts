/**
 * Answers of the statistics, hot spots and map aggregates. Rates are 0..1, hours are hours,
 * distances metres; a rate or a duration with nothing to judge is null.
 */
import { z } from 'zod';
import { areaSchema, featureCollectionSchema, featureSchema, namesSchema, pointSchema } from './geojson.ts';

const count = z.number().int();
const rate = z.number().nullable();
const period = z.object({ from: z.string(), to: z.string() });

/** GET /api/stats/by-category */
export const byCategorySchema = z.object({
  level: z.string(),
  total: count,
  items: z.array(
    z.object({
      code: z.string(),
      sphere: z.string(),
      name: namesSchema,
      color: z.string().nullable(),
      count,
      open: count,
      overdue: count,
    }),
  ),
});

/** GET /api/stats/by-service */
export const byServiceSchema = z.object({
  period,
  items: z.array(
    z.object({
      code: z.string(),
      name: namesSchema,
      count,
      open: count,
      overdue: count,
      resolved: count,
      resolved_on_time: count,
      performance: z.object({
        created: count,
        resolved: count,
        resolved_on_time: count,
        overdue_now: count,
        on_time_rate: rate,
        median_hours_to_close: rate,
        p90_hours_to_close: rate,
        mean_hours_to_close: rate,
        reopened: count,
        reopen_rate: rate,
        mean_rating: rate,
        ratings: count,
      }),
      /** its own work orders as a co-executor (issue 18): open and overdue now, done in the period */
      work_orders: z.object({ open: count, overdue: count, done: count, done_on_time: count }),
    }),
  ),
});

/** GET /api/stats/by-district */
export const byDistrictSchema = z.object({
  period,
  /** appeals registered outside every district */
  outside: z.object({ created: count }),
  items: z.array(
    z.object({
      code: z.string(),
      name: namesSchema,
      population: z.number().nullable(),
      created: count,
      created_per_10k: rate,
      open: count,
      open_per_10k: rate,
      overdue: count,
      resolved: count,
      resolved_on_time: count,
      on_time_rate: rate,
      median_hours_to_close: rate,
      p90_hours_to_close: rate,
      mean_hours_to_close: rate,
      reopened: count,
      mean_rating: rate,
      ratings: count,
      first_call_rate: rate,
    }),
  ),
});

/** GET /api/stats/by-channel */
export const byChannelSchema = z.object({
  period,
  total: count,
  items: z.array(
    z.object({
      channel: z.string(),
      created: count,
      share: rate,
      first_call: count,
      first_call_rate: rate,
      resolved: count,
      resolved_on_time: count,
      on_time_rate: rate,
      mean_rating: rate,
      ratings: count,
    }),
  ),
});

const firstCallPart = z.object({ created: count, first_call: count, rate });
/** GET /api/stats/first-call */
export const firstCallSchema = z.object({ period, all: firstCallPart, information_requests: firstCallPart });

/** GET /api/stats/timeseries */
export const timeseriesSchema = z.object({
  interval: z.string(),
  from: z.string(),
  to: z.string(),
  items: z.array(
    z.object({ date: z.string(), created: count, resolved: count, resolved_on_time: count, first_call: count, reopened: count }),
  ),
});

/** GET /api/hotspots: hexagon cells with Getis-Ord Gi*; the analysis' parameters and summary beside them. */
export const hotspotsSchema = featureCollectionSchema(
  featureSchema(
    areaSchema,
    z.object({
      id: z.string(),
      count,
      neighbours: count,
      neighbourhood_count: z.number(),
      population: z.number().nullable().optional(),
      rate: z.number().nullable().optional(),
      z: z.number().nullable(),
      p: z.number().nullable(),
      p_adjusted: z.number().nullable(),
      class: z.string(),
      trend: z.string().nullable(),
      series: z.array(z.number()),
      district: z.string().nullable(),
      top_categories: z.array(z.looseObject({})),
    }),
  ),
  { parameters: z.looseObject({ from: z.string(), to: z.string() }), summary: z.looseObject({ cells: count, appeals: count }) },
);

/** GET /api/hotspots/clusters: places where appeals of one kind repeat. */
export const repeatClustersSchema = featureCollectionSchema(
  featureSchema(
    z.looseObject({ type: z.string() }),
    z.object({
      id: z.string(),
      category: z.string(),
      sphere: z.string().nullable(),
      name: namesSchema,
      size: count,
      open: count,
      open_share: z.number(),
      first: z.string(),
      last: z.string(),
      centroid: z.array(z.number()),
      radius_m: z.number(),
      district: z.string().nullable(),
      incident_ids: z.array(count),
      open_ids: z.array(count),
      grouping: z.object({ parent: count, children: z.array(count) }).nullable(),
    }),
  ),
  { parameters: z.looseObject({ from: z.string(), to: z.string() }) },
);

/** GET /api/map/clusters: grid cells as points; a cell of one appeal names it. */
export const mapClustersSchema = featureCollectionSchema(
  featureSchema(
    pointSchema,
    z.object({
      count,
      weight: z.union([z.number(), z.string()]),
      sphere: z.string(),
      /** appeals per sphere code */
      mix: z.record(z.string(), z.number()),
      id: count.optional(),
      number: z.string().optional(),
      category: z.string().optional(),
      status: z.string().optional(),
      priority: count.optional(),
      overdue: z.boolean().optional(),
    }),
  ),
  { zoom: z.number() },
);
export type MapClusters = z.infer<typeof mapClustersSchema>;
