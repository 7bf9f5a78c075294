/**
 * The shapes of the outage register's requests (server/outages/routes.ts): what a dispatcher
 * sends to register, change or close an outage, and the list's filters. Coordinates are
 * [lng, lat] in degrees (EPSG:4326); times are ISO 8601 instants (UTC when no offset).
 */
import { z } from 'zod';
import { INSTANT_MESSAGE, instantMs, isInstant } from '../instants.ts';

export const OUTAGE_KINDS = ['emergency', 'planned'] as const;
export type OutageKind = (typeof OUTAGE_KINDS)[number];

const code = z.string().regex(/^[a-z0-9_.-]{1,128}$/, 'not a valid code');
const instant = z.string().max(40).refine(isInstant, { message: INSTANT_MESSAGE });

const position = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);

/** A closed ring: four positions or more, the last equal to the first. */
const ring = z
  .array(position)
  .min(4, 'a ring needs at least four positions (the first repeated at the end)')
  .max(5000)
  .refine((r) => r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1], 'a ring must end where it starts');

/** A drawn area: a GeoJSON Polygon or MultiPolygon. Self-intersections are refused by PostGIS (400). */
export const AreaSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1).max(50) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(ring).min(1).max(50)).min(1).max(50) }),
]);
export type Area = z.infer<typeof AreaSchema>;

/** An area built from the gazetteer: the union of buffers around picked streets or addresses (server/places). */
export const PlacesAreaSchema = z.object({
  /** Ids of places (`GET /api/places/search` features' `id`): streets, addresses, places. */
  ids: z.array(z.number().int().positive()).min(1).max(200),
  /** Metres around each place's geometry. */
  buffer_m: z.number().min(5).max(2000).default(40),
});

/** A notice in kk/ru/en; at least one language. */
const NoticeSchema = z
  .object({
    kk: z.string().trim().min(1).max(2000).optional(),
    ru: z.string().trim().min(1).max(2000).optional(),
    en: z.string().trim().min(1).max(2000).optional(),
  })
  .strict()
  .refine((n) => n.kk || n.ru || n.en, 'give the notice in at least one language');

export const OutageCreateSchema = z
  .object({
    kind: z.enum(OUTAGE_KINDS),
    services: z.array(code).min(1).max(20),
    /** A drawn polygon, or `places`: one of the two. */
    area: AreaSchema.optional(),
    places: PlacesAreaSchema.optional(),
    starts_at: instant,
    expected_end_at: instant,
    notice: NoticeSchema,
  })
  .strict()
  .refine((b) => (b.area ? !b.places : Boolean(b.places)), { message: 'give either area or places', path: ['area'] })
  .refine((b) => instantMs(b.expected_end_at) > instantMs(b.starts_at), {
    message: 'expected_end_at must be after starts_at',
    path: ['expected_end_at'],
  });
export type OutageCreate = z.infer<typeof OutageCreateSchema>;

/** A change: any of the fields, with the version read (409 when someone changed it meanwhile). */
export const OutagePatchSchema = z
  .object({
    version: z.number().int().positive(),
    kind: z.enum(OUTAGE_KINDS).optional(),
    services: z.array(code).min(1).max(20).optional(),
    area: AreaSchema.optional(),
    places: PlacesAreaSchema.optional(),
    starts_at: instant.optional(),
    expected_end_at: instant.optional(),
    notice: NoticeSchema.optional(),
  })
  .strict()
  .refine((b) => !(b.area && b.places), { message: 'give either area or places', path: ['area'] })
  .refine((b) => !b.starts_at || !b.expected_end_at || instantMs(b.expected_end_at) > instantMs(b.starts_at), {
    message: 'expected_end_at must be after starts_at',
    path: ['expected_end_at'],
  });
export type OutagePatch = z.infer<typeof OutagePatchSchema>;

/** Closing: the service is back at `ended_at` (now when left out). */
export const OutageCloseSchema = z.object({ version: z.number().int().positive(), ended_at: instant.optional() }).strict();

const lngLat = z
  .string()
  .regex(/^-?\d{1,3}(\.\d+)?,-?\d{1,2}(\.\d+)?$/, 'expected lng,lat in degrees, e.g. 71.37,42.9')
  .transform((s) => s.split(',').map(Number) as [number, number])
  .refine(([x, y]) => Math.abs(x) <= 180 && Math.abs(y) <= 90, 'lng,lat must be within [-180,180] and [-90,90]');

const bbox = z
  .string()
  .max(200)
  .transform((s, ctx) => {
    const n = s.split(',').map((x) => Number(x.trim()));
    const [a, b, c, d] = n;
    if (n.length !== 4 || n.some((x) => !Number.isFinite(x)) || a < -180 || c > 180 || b < -90 || d > 90 || a > c || b > d) {
      ctx.addIssue({ code: 'custom', message: 'expected minLng,minLat,maxLng,maxLat within -180..180 and -90..90, min ≤ max' });
      return z.NEVER;
    }
    return n as [number, number, number, number];
  });

const list = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => [
      ...new Set(
        (Array.isArray(v) ? v : [v])
          .flatMap((s) => s.split(','))
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(item).max(20));

/** GET /api/outages. */
export const OutageListSchema = z
  .object({
    /** true: started, not ended (at `time`); false: ended or not started yet. */
    active: z.enum(['true', 'false']).optional(),
    kind: list(z.enum(OUTAGE_KINDS)).optional(),
    service: list(code).optional(),
    bbox: bbox.optional(),
    /** Outages whose area holds this point. */
    at: lngLat.optional(),
    /** With `at`: only outages of the service this category is routed to at that point. */
    category: code.optional(),
    /** The instant `active` is judged at (now when left out). */
    time: instant.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(500),
  })
  .strict()
  .refine((q) => !q.category || q.at, { message: 'category needs at (the point it is routed from)', path: ['category'] });
export type OutageListQuery = z.infer<typeof OutageListSchema>;

export const OutageIdParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
