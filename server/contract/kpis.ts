/**
 * The KPIs of the control room, the wall and the live stream: one definition, validated on the
 * server, read as types by the client, described in OpenAPI.
 */
import { z } from 'zod';

export const kpisSchema = z.object({
  open: z.number().int(),
  overdue: z.number().int(),
  newToday: z.number().int(),
  resolvedToday: z.number().int(),
  /** appeals resolved in the period (rejections are not resolutions) */
  closed: z.number().int(),
  closedOnTime: z.number().int(),
  /** closed on time ÷ (closed + open and overdue), 0..1; null when there is nothing to judge */
  onTimeRate: z.number().min(0).max(1).nullable(),
  meanRating: z.number().nullable(),
  ratings: z.number().int(),
  createdInPeriod: z.number().int(),
  /**
   * information requests answered on the call (closed at intake, never passed to a service) ÷
   * information requests registered in the period, 0..1
   */
  firstCallRate: z.number().min(0).max(1).nullable(),
});
export type Kpis = z.infer<typeof kpisSchema>;

/** [from, to) in city calendar days, YYYY-MM-DD */
export const periodSchema = z.object({ from: z.string(), to: z.string() });

/** GET /api/stats/summary */
export const summarySchema = z.object({
  period: periodSchema,
  city: kpisSchema,
  districts: z.record(z.string(), kpisSchema),
});
export type Summary = z.infer<typeof summarySchema>;

/** The live stream's `stats` event: the city's KPIs at the top level, each district's, the period of the rates. */
export const liveStatsSchema = kpisSchema.extend({
  districts: z.record(z.string(), kpisSchema),
  period: periodSchema,
});
export type LiveStats = z.infer<typeof liveStatsSchema>;
