/** Answers about emergencies (server/emergencies): first measures, hand-overs, acknowledgement, the wall's hold list. */
import { z } from 'zod';
import { namesSchema } from './geojson.ts';

const time = z.string();

/** A first measure of the appeal's checklist, with when it was done and by whom (a login). */
export const measureSchema = z.object({
  code: z.string(),
  name: namesSchema,
  /** the emergency number this measure hands over to (ticked by a hand-over), else null */
  handover: z.string().nullable(),
  done: z.boolean(),
  done_at: time.nullable(),
  done_by: z.string().nullable(),
});

/** A hand-over to an emergency service, with the receiving operator's name (staff data). */
export const handoverSchema = z.object({
  id: z.number().int(),
  service: z.string(),
  service_name: namesSchema,
  operator: z.string(),
  handed_at: time,
  by: z.string().nullable(),
  note: z.string().nullable(),
});

/** GET /api/incidents/{id}/measures */
export const measuresSchema = z.object({
  id: z.number().int(),
  number: z.string(),
  emergency: z.boolean(),
  acknowledged: z.object({ at: time.nullable(), by: z.string().nullable() }).nullable(),
  measures: z.array(measureSchema),
  handovers: z.array(handoverSchema),
  /** the emergency services to hand over to */
  services: z.array(z.object({ code: z.string(), name: namesSchema })),
});

/** POST /api/incidents/{id}/measures: the same, and whether anything changed. */
export const measureTickSchema = measuresSchema.extend({ changed: z.boolean() });
/** POST /api/incidents/{id}/handovers: the same, and whether the hand-over was new (201) or known (200). */
export const handoverResultSchema = measuresSchema.extend({ created: z.boolean() });
/** POST /api/incidents/{id}/acknowledge */
export const acknowledgeResultSchema = measuresSchema.extend({ changed: z.boolean() });

/** GET /api/emergencies: new emergencies nobody acknowledged, oldest first (no personal data). */
export const pendingEmergenciesSchema = z.object({
  count: z.number().int(),
  items: z.array(
    z.object({
      id: z.number().int(),
      number: z.string(),
      status: z.string(),
      priority: z.number().int(),
      created_at: time,
      /** redacted */
      address: z.string().nullable(),
      category: z.string(),
      district: z.string().nullable(),
    }),
  ),
});

export type Measures = z.infer<typeof measuresSchema>;
export type PendingEmergencies = z.infer<typeof pendingEmergenciesSchema>;
