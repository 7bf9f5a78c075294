/** Answers of the platform routes: health, meta, sessions, and the plain acknowledgements. */
import { z } from 'zod';
import { namesSchema } from './geojson.ts';

/** GET /api/health */
export const healthSchema = z.object({
  status: z.literal('ok'),
  database: z.object({
    engine: z.enum(['postgres', 'pglite']),
    postgis: z.string(),
    /** With DATABASE_REPLICA_URL only: the streaming replica as last checked (reads use it only when `up`). */
    replica: z.object({ state: z.enum(['up', 'lagging', 'down']), lag_ms: z.number().nullable() }).optional(),
  }),
});
export type Health = z.infer<typeof healthSchema>;

/** A deadline norm: hours, or working days of the city's calendar. */
const normSchema = z.union([z.object({ hours: z.number() }), z.object({ workingDays: z.number() })]).nullable();

/** GET /api/meta. The city's settings come from its pack, which may carry more than these. */
export const metaSchema = z.object({
  city: z.looseObject({
    code: z.string(),
    name: namesSchema,
    phone: z.string(),
    /** [[minLng, minLat], [maxLng, maxLat]] */
    bounds: z.array(z.array(z.number())).nullable(),
    center: z.array(z.number()),
    timeZone: z.string(),
    languages: z.array(z.string()),
    numberPrefix: z.string(),
    basemapUrl: z.string().nullable(),
  }),
  enums: z.object({
    types: z.array(z.string()).readonly(),
    channels: z.array(z.string()).readonly(),
    statuses: z.array(z.string()).readonly(),
  }),
  categories: z.array(
    z.object({
      code: z.string(),
      parent: z.string().nullable(),
      sphere: z.string(),
      depth: z.number().int(),
      name: namesSchema,
      icon: z.string().nullable(),
      color: z.string().nullable(),
      priority: z.number().int(),
      emergency: z.boolean(),
      service: z.string().nullable(),
      norm: normSchema,
      /** metres */
      radiusM: z.number().nullable(),
      /** what a call of this kind usually is (catalogue search): an information request or a complaint */
      type: z.enum(['information', 'complaint']).nullable(),
      /** the answer read to a caller for an information request, per language */
      answer: z.object({ kk: z.string().nullable(), ru: z.string().nullable(), en: z.string().nullable() }).nullable(),
      /** words callers use for it (catalogue search) */
      synonyms: z.array(z.string()),
      /** appeals of this kind registered in the last 90 days (orders the intake picker) */
      usage: z.number().int(),
    }),
  ),
  services: z.array(
    z.looseObject({
      code: z.string(),
      name: namesSchema,
      kind: z.string().nullable(),
      phone: z.string().nullable(),
      email: z.string().nullable(),
    }),
  ),
  districts: z.array(
    z.object({
      id: z.number().int(),
      code: z.string(),
      name: namesSchema,
      population: z.number().nullable(),
      approximate: z.boolean(),
      lng: z.number(),
      lat: z.number(),
      /** [minLng, minLat, maxLng, maxLat] */
      bbox: z.array(z.number()),
    }),
  ),
});
export type Meta = z.infer<typeof metaSchema>;

/** The signed-in user as the session shows it. */
export const sessionUserSchema = z.object({
  id: z.number().int(),
  login: z.string(),
  name: z.string(),
  role: z.string(),
  districtIds: z.array(z.number().int()),
  serviceId: z.number().int().nullable(),
});

/** POST /api/auth/login, POST /api/auth/display: the user and the CSRF token for later writes. */
export const signedInSchema = z.object({ user: sessionUserSchema, csrfToken: z.string() });
/** GET /api/auth/me: the same, or `{user: null}` for nobody. */
export const meSchema = z.union([signedInSchema, z.object({ user: z.null() })]);
export type SignedIn = z.infer<typeof signedInSchema>;
export type Me = z.infer<typeof meSchema>;

/** `{ok: true}` */
export const okSchema = z.object({ ok: z.literal(true) });
/** `{ok: true, ended}`: sessions ended. */
export const endedSchema = z.object({ ok: z.literal(true), ended: z.number().int() });

/** GET /api/openapi.json: an OpenAPI 3.1 document (its own shape is OpenAPI's, checked by the linter). */
export const openapiDocumentSchema = z.looseObject({
  openapi: z.string().startsWith('3.1'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.looseObject({})),
  components: z.looseObject({}),
});
