/** Alerts of the control room (server/alerts/detect.ts computes them): one definition for both sides. */
import { z } from 'zod';

export const alertKinds = ['spike', 'emergency_cluster', 'overdue_critical', 'outage_overdue'] as const;
export type AlertKind = (typeof alertKinds)[number];

export const alertSchema = z.object({
  /** Stable while the situation lasts: clients use it to tell a new alert from a known one. */
  id: z.string(),
  kind: z.enum(alertKinds),
  severity: z.enum(['critical', 'warning']),
  /** What: a category code (any depth) or a sphere code. */
  category: z.string(),
  sphere: z.string(),
  /** Where: a district code, or null for the whole city. */
  district: z.string().nullable(),
  /** How many appeals. */
  count: z.number().int(),
  /** Since when (ISO 8601, UTC): the first appeal of the burst or cluster, the oldest missed deadline. */
  since: z.string(),
  /** spike: the usual number of appeals in this hour of the week (mean of the previous weeks). */
  expected: z.number().optional(),
  /** emergency_cluster: the centre [lng, lat] (degrees) and the radius around it (metres). */
  center: z.tuple([z.number(), z.number()]).optional(),
  radiusM: z.number().optional(),
  /** outage_overdue: the outage's id (GET /api/outages/:id); `since` is its missed expected end. */
  outage: z.number().int().optional(),
});
export type Alert = z.infer<typeof alertSchema>;

/** GET /api/alerts and the live stream's `alerts` event. */
export const alertSnapshotSchema = z.object({
  generatedAt: z.string(),
  items: z.array(alertSchema),
});
export type AlertSnapshot = z.infer<typeof alertSnapshotSchema>;
