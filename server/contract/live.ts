/**
 * The live stream's appeal events (`incident.created`, `incident.updated`): the payload the
 * live_events trigger writes (migration 005) as screens receive it, with no personal data.
 */
import { z } from 'zod';

export const liveEventKinds = ['incident.created', 'incident.updated'] as const;
export type LiveEventKind = (typeof liveEventKinds)[number];

export const liveIncidentSchema = z.object({
  id: z.number().int(),
  number: z.string(),
  type: z.string(),
  category: z.string(),
  sphere: z.string().nullable(),
  channel: z.string(),
  status: z.string(),
  resolution: z.string().nullable(),
  priority: z.number().int(),
  district: z.string().nullable(),
  service: z.string().nullable(),
  created_at: z.string(),
  due_at: z.string(),
  updated_at: z.string(),
  emergency: z.boolean(),
  escalation_level: z.number().int(),
  /** degrees */
  lng: z.number(),
  lat: z.number(),
  version: z.number().int(),
});
export type LiveIncident = z.infer<typeof liveIncidentSchema>;
