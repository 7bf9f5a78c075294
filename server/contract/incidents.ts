/**
 * Answers about appeals: the list, one appeal with its events, registration, duplicates,
 * grouping, ratings, execution control, and what a citizen may see. Times are ISO 8601 (UTC).
 */
import { z } from 'zod';
import { featureCollectionSchema, featureSchema, namesSchema, pointSchema } from './geojson.ts';
import { controlCoordinationShape } from './work-orders.ts';

const time = z.string();
const codeAndName = z.object({ code: z.string(), name: namesSchema });

/** An appeal's properties as lists and the appeal page show them (no personal data). */
export const incidentPropertiesSchema = z.object({
  id: z.number().int(),
  number: z.string(),
  type: z.string(),
  category: z.string(),
  sphere: z.string().nullable(),
  channel: z.string(),
  status: z.string(),
  resolution: z.string().nullable(),
  priority: z.number().int(),
  description: z.string().nullable(),
  address: z.string().nullable(),
  district: z.string().nullable(),
  service: z.string().nullable(),
  parent_id: z.number().int().nullable(),
  reporter_count: z.number().int(),
  photo_url: z.string().nullable(),
  rating: z.number().nullable(),
  escalation_level: z.number().int(),
  reassign_count: z.number().int(),
  created_at: time,
  assigned_at: time.nullable(),
  started_at: time.nullable(),
  resolved_at: time.nullable(),
  closed_at: time.nullable(),
  due_at: time,
  updated_at: time,
  overdue: z.boolean(),
  version: z.number().int(),
});

/** When an open appeal is expected to be resolved (issue 24), from the durations model; null when closed or without history. */
export const etaSchema = z.object({
  /** ISO 8601, UTC */
  at: time,
  /** hours from now to `at` (0.1 h) */
  hours_left: z.number(),
  /** the sample the estimate comes from (category × district, category, sphere, ...) */
  basis: z.string(),
  /** resolved appeals behind the estimate */
  n: z.number().int(),
});

/** The dispute an open appeal was reopened for: when, how, the citizen's words (only to those in scope), the rating. */
export const openDisputeSchema = z.object({
  at: time,
  via: z.enum(['feedback_link', 'staff']),
  text: z.string().nullable(),
  rating: z.number().int().nullable(),
});

/** GET /api/incidents */
export const incidentListSchema = featureCollectionSchema(
  featureSchema(pointSchema, incidentPropertiesSchema.extend({ eta: etaSchema.nullable() })),
  {
    numberMatched: z.number().int(),
    /** true when numberMatched is the planner's estimate */
    numberMatchedEstimated: z.literal(true).optional(),
    numberReturned: z.number().int(),
    next: z.string().nullable(),
  },
);

/** Probability (0–1) of missing the deadline, its basis and the size of the history behind it. */
export const riskSchema = z.object({ p: z.number(), basis: z.string(), n: z.number().int() });

/** A move the user may make next. */
export const moveSchema = z.object({ action: z.string(), to: z.string().nullable(), requires: z.array(z.string()) });

export const eventSchema = z.object({
  id: z.number().int(),
  at: time,
  action: z.string(),
  from_status: z.string().nullable(),
  to_status: z.string().nullable(),
  note: z.string().nullable(),
  visibility: z.string(),
  data: z.unknown(),
  /** the staff member's login: left out for readers without personal-data rights (their role remains) */
  actor_login: z.string().nullable().optional(),
  actor_role: z.string().nullable(),
});

/** An appeal after a change (transition, escalation): the feature with the user's next moves. */
export const changedIncidentSchema = featureSchema(pointSchema, incidentPropertiesSchema).extend({
  allowed: z.array(moveSchema).optional(),
});

/** GET /api/incidents/{id}: reporters, feedback links and SMS only for roles allowed to see them. */
export const incidentSchema = featureSchema(
  pointSchema,
  incidentPropertiesSchema.extend({ bounced: z.boolean(), risk: riskSchema.nullable(), eta: etaSchema.nullable() }),
).extend({
  events: z.array(eventSchema),
  reporters: z
    .array(
      z.object({
        id: z.number().int(),
        incident_id: z.number().int(),
        name: z.string().nullable(),
        phone: z.string().nullable(),
        contact: z.string().nullable(),
        created_at: time,
      }),
    )
    .optional(),
  allowed: z.array(moveSchema).optional(),
  feedback_links: z
    .array(
      z.object({
        reporter_id: z.number().int().nullable(),
        url: z.string().nullable(),
        api: z.string().nullable(),
        created_at: time,
        expires_at: time,
        used_at: time.nullable(),
      }),
    )
    .optional(),
  sms: z.array(z.looseObject({ id: z.number().int(), kind: z.string(), phone: z.string(), state: z.string() })).optional(),
  /** only while the appeal is open again after a citizen's dispute */
  dispute: openDisputeSchema.optional(),
});

/** A nearby open appeal that may be the same problem. */
export const duplicateSchema = z.object({
  id: z.number().int(),
  number: z.string(),
  category: z.string(),
  same_category: z.boolean(),
  /** nearest to the same gazetteer address as the new appeal (its building) */
  same_building: z.boolean(),
  status: z.string(),
  description: z.string(),
  address: z.string().nullable(),
  reporter_count: z.number().int(),
  created_at: time,
  /** metres on the spheroid from the given point */
  distance_m: z.number(),
  lng: z.number(),
  lat: z.number(),
});

/** GET /api/incidents/duplicates */
export const duplicatesSchema = z.object({ duplicates: z.array(duplicateSchema) });

/** POST /api/incidents (201) */
export const intakeResultSchema = z.object({
  id: z.number().int(),
  number: z.string(),
  type: z.string(),
  category: z.string(),
  status: z.string(),
  resolution: z.string().nullable(),
  priority: z.number().int(),
  district: codeAndName,
  service: codeAndName.nullable(),
  created_at: time,
  due_at: time,
  version: z.number().int(),
  duplicates: z.array(duplicateSchema),
  /** the outage the call was answered from (only when one was given) */
  outage: z.number().int().optional(),
});

/** POST /api/incidents/group and POST /api/incidents/{id}/merge */
export const groupResultSchema = z.object({
  parent: z.object({ id: z.number().int(), number: z.string(), reporter_count: z.number().int(), version: z.number().int() }),
  merged: z.array(z.object({ id: z.number().int(), number: z.string() })),
});

/** POST /api/incidents/{id}/feedback */
export const phoneRatingSchema = z.object({ id: z.number().int(), rating: z.number().int(), version: z.number().int() });

/** GET /api/control */
export const controlSchema = z.object({
  generated_at: time,
  summary: z.object({
    open: z.number().int(),
    overdue: z.number().int(),
    bounced: z.number().int(),
    escalated: z.number().int(),
    at_risk: z.number().int(),
  }),
  by_service: z.array(
    z.object({
      service: z.string().nullable(),
      open: z.number().int(),
      overdue: z.number().int(),
      bounced: z.number().int(),
      escalated: z.number().int(),
    }),
  ),
  numberReturned: z.number().int(),
  truncated: z.boolean(),
  items: z.array(
    z.object({
      id: z.number().int(),
      number: z.string(),
      category: z.string(),
      district: z.string().nullable(),
      service: z.string().nullable(),
      status: z.string(),
      priority: z.number().int(),
      created_at: time,
      due_at: time,
      /** hours */
      age_h: z.number(),
      overdue: z.boolean(),
      overdue_h: z.number().nullable(),
      escalation_level: z.number().int(),
      reassign_count: z.number().int(),
      bounced: z.boolean(),
      risk: riskSchema.nullable(),
      eta: etaSchema.nullable(),
      lng: z.number(),
      lat: z.number(),
      address: z.string().nullable(),
      description: z.string().nullable(),
      /** the service holding it up (issue 18) */
      holding: z.string().nullable(),
      /** co-executors whose work orders are still open */
      work_orders_pending: z.array(z.string()),
    }),
  ),
  ...controlCoordinationShape,
});

/** GET /api/public/incidents/{number}: what the citizen who filed it may know. */
export const publicStatusSchema = z.object({
  number: z.string(),
  type: z.string(),
  category: codeAndName,
  district: codeAndName.nullable(),
  service: codeAndName.nullable(),
  status: z.string(),
  resolution: z.string().nullable(),
  resolution_note: z.string().nullable(),
  merged_into: z.string().nullable(),
  created_at: time,
  due_at: time,
  resolved_at: time.nullable(),
  closed_at: time.nullable(),
  rating: z.number().nullable(),
  timeline: z.array(z.object({ at: time, status: z.string(), note: z.string().nullable() })),
});

/** GET /api/feedback/{token} */
export const feedbackViewSchema = z.object({
  number: z.string(),
  category: codeAndName,
  status: z.string(),
  resolution: z.string().nullable(),
  resolution_note: z.string().nullable(),
  created_at: time,
  resolved_at: time.nullable(),
  closed_at: time.nullable(),
  expires_at: time,
  used_at: time.nullable(),
  answered: z.boolean(),
  can_rate: z.boolean(),
  can_dispute: z.boolean(),
});

/** POST /api/feedback/{token} */
export const linkRatingSchema = z.object({ ok: z.literal(true), rating: z.number().int() });
/** POST /api/feedback/{token}/dispute */
export const disputeSchema = z.object({ ok: z.literal(true), status: z.literal('reopened') });

/** GET /api/exports/incidents.geojson: every matching appeal, the same columns as the CSV. */
export const exportCollectionSchema = featureCollectionSchema(
  featureSchema(
    pointSchema,
    z.object({
      number: z.string(),
      type: z.string(),
      category: z.string(),
      sphere: z.string().nullable(),
      channel: z.string(),
      status: z.string(),
      priority: z.number().int(),
      district: z.string().nullable(),
      service: z.string().nullable(),
      created_at: time,
      due_at: time,
      resolved_at: time.nullable(),
      closed_at: time.nullable(),
      overdue: z.boolean(),
      address: z.string().nullable(),
      description: z.string().nullable(),
    }),
  ),
  { timeStamp: time },
);

export type IntakeAnswer = z.infer<typeof intakeResultSchema>;
export type GroupAnswer = z.infer<typeof groupResultSchema>;
export type Control = z.infer<typeof controlSchema>;
