/** Answers of the executors' field app (server/field): the work list, actions, proof photos. Times ISO 8601 (UTC). */
import { z } from 'zod';
import { changedIncidentSchema } from './incidents.ts';

const time = z.string();
const lngLat = z.tuple([z.number(), z.number()]);

/** The photos a category asks for when resolving from the field, and the distance (m) that flags a resolution. */
export const proofRuleSchema = z.object({ before: z.boolean(), after: z.boolean(), farM: z.number().int() });

/** GET /api/field/work */
export const workListSchema = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      number: z.string(),
      status: z.string(),
      type: z.string(),
      category: z.string(),
      service: z.string().nullable(),
      address: z.string().nullable(),
      description: z.string().nullable(),
      created_at: time,
      due_at: time,
      version: z.number().int(),
      /** [lng, lat] */
      location: lngLat,
      /** metres from `near`, when given */
      distance_m: z.number().nullable(),
      /** the latest pause, unless resumed or taken since */
      paused: z.object({ reason: z.string().nullable(), note: z.string().nullable(), at: time }).nullable(),
      photos: z.object({ before: z.number().int(), after: z.number().int() }),
      proof: proofRuleSchema,
    }),
  ),
  sort: z.enum(['due', 'distance']),
});

/** POST take, pause, resume: the appeal as GET /api/incidents/{id} shows it, after the action. */
export const fieldAppealSchema = changedIncidentSchema.omit({ allowed: true });

/** A check of a resolution from the field: where and when, and the flags a supervisor should look at. */
export const resolutionCheckSchema = z.object({
  id: z.number().int(),
  /** the device's time of the action */
  acted_at: time,
  received_at: time,
  position: lngLat.nullable(),
  distance_m: z.number().nullable(),
  far_m: z.number(),
  photo_ids: z.array(z.number().int()),
  flags: z.array(z.string()),
  resolved_by: z.number().int().nullable(),
});

/** POST /api/field/incidents/{id}/resolve: the appeal and the latest check. */
export const fieldResolvedSchema = fieldAppealSchema.extend({ checks: resolutionCheckSchema.nullable() });

/** A proof photo as the API lists it (no storage key, no uploader). */
export const photoSchema = z.object({
  id: z.number().int(),
  kind: z.enum(['before', 'after']),
  taken_at: time,
  position: lngLat.nullable(),
  accuracy_m: z.number().nullable(),
  uploaded_at: time,
  width: z.number().int(),
  height: z.number().int(),
  size_bytes: z.number().int(),
  published: z.boolean(),
  /** GET it here (JPEG) */
  url: z.string(),
});

/** POST /api/field/incidents/{id}/photos replayed with the same Idempotency-Key (200): the appeal's photos. */
export const photoReplaySchema = z.object({ replayed: z.literal(true), photos: z.array(photoSchema) });

/** GET /api/field/incidents/{id}/proof */
export const proofSchema = z.object({ photos: z.array(photoSchema), checks: z.array(resolutionCheckSchema) });

export type WorkList = z.infer<typeof workListSchema>;
export type Photo = z.infer<typeof photoSchema>;
