import { z } from 'zod';
import { isTimeZone } from '../deadlines/zone.ts';

/**
 * The shape of a city pack's files (geodata/<city>/). Names may be given in only some of
 * kk/ru/en: the pack's `languages` say which to fall back on (see pack-names.ts).
 */
export const LANGS = ['kk', 'ru', 'en'] as const;
export type Lang = (typeof LANGS)[number];

export const Names = z
  .object({ kk: z.string().min(1), ru: z.string().min(1), en: z.string().min(1) })
  .partial()
  .refine((n) => LANGS.some((l) => n[l]), 'needs a name in at least one of kk, ru, en');
export type PackNames = z.infer<typeof Names>;

/** Limits a norm must keep: an hour norm up to 30 days, a working-day norm up to 60 working days. */
export const MAX_NORM_HOURS = 720;
export const MAX_NORM_WORKING_DAYS = 60;
/** An appeal must be answered within 15 working days (Administrative Procedural Code): no kind's norm may be longer. */
export const MAX_APPEAL_WORKING_DAYS = 15;
/** The same bound for hour norms: 15 working days are at least three weeks, 504 hours. */
export const MAX_APPEAL_HOURS = 504;
const Norm = z.union([
  z.object({ hours: z.number().int().positive().max(MAX_NORM_HOURS) }).strict(),
  z.object({ workingDays: z.number().int().positive().max(MAX_NORM_WORKING_DAYS) }).strict(),
]);

/** A boundary file the pack points at, and which of its fields give a district's code and names. */
const DistrictSource = z.object({
  /** Relative to the pack folder, absolute, or starting with ${JARDEM_SHARED_DATA}/. */
  source: z.string().min(1),
  fields: z.object({
    code: z.string().min(1),
    name: z.object({ kk: z.string(), ru: z.string(), en: z.string() }).partial(),
    population: z.string().optional(),
  }),
  /** EPSG code of a source that is not WGS 84 and does not say so itself. */
  srid: z.number().int().positive().optional(),
  /** Keep only features whose field has this value (e.g. one city out of a national file). */
  where: z.record(z.string(), z.string()).optional(),
  approximate: z.boolean().optional(),
  provenance: z.string().optional(),
});
export type DistrictSourceSpec = z.infer<typeof DistrictSource>;

export const CitySchema = z.object({
  code: z.string().regex(/^[a-z0-9_-]+$/, 'a lowercase code, the same as the folder name'),
  name: Names,
  /** IANA time zone, e.g. "Asia/Almaty", "America/New_York". `timezone` is the older spelling. */
  timeZone: z.string().refine(isTimeZone, 'not an IANA time zone (e.g. "Asia/Almaty", "America/New_York")').optional(),
  timezone: z.string().refine(isTimeZone, 'not an IANA time zone (e.g. "Asia/Almaty")').optional(),
  /** Fixed offset of packs written before time zones ("+05:00"); used only without a zone. */
  utcOffset: z
    .string()
    .regex(/^[+-]\d{2}:?\d{2}$/, 'like "+05:00"')
    .optional(),
  /** Languages the pack's names are written in, in the order to fall back on (default kk, ru, en). */
  languages: z.array(z.enum(LANGS)).min(1).optional(),
  /** The language of system notes and the interface's default: default the first of `languages`, else ru. */
  language: z.enum(LANGS).optional(),
  center: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]),
  bounds: z.tuple([z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()])]),
  defaultZoom: z.number().min(0).max(22),
  numberPrefix: z.string().default('109'),
  /** The centre's phone number as the interface shows it ("109", "311"); default numberPrefix. */
  phone: z.string().min(1).optional(),
  /** The centre's name in the interface; default "Jardem <phone>". */
  centreName: Names.optional(),
  /** Districts from a boundary file with a field mapping, instead of districts.geojson. */
  districts: DistrictSource.optional(),
  provenance: z.string().optional(),
});
export type CityFile = z.infer<typeof CitySchema>;

export interface CategoryNode {
  code: string;
  name: PackNames;
  icon?: string;
  color?: string;
  norm?: z.infer<typeof Norm>;
  priority?: number;
  service?: string;
  radiusM?: number;
  windowHours?: number;
  emergency?: boolean;
  /** "information": a question the dispatcher answers on the call (with `answer`), closed at first contact. */
  type?: 'information' | 'complaint';
  /** What the dispatcher tells the caller, for an information kind. */
  answer?: PackNames;
  children?: CategoryNode[];
}
// A loose object: fields without a column (synonyms, answers, ...) reach categories.extra (h-catadmin).
export const CategorySchema: z.ZodType<CategoryNode> = z.lazy(() =>
  z.looseObject({
    code: z.string().regex(/^[a-z0-9_.]+$/),
    name: Names,
    icon: z.string().optional(),
    color: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/)
      .optional(),
    norm: Norm.optional(),
    priority: z.number().int().min(1).max(4).optional(),
    service: z.string().optional(),
    radiusM: z.number().int().positive().max(5000).optional(),
    windowHours: z.number().int().positive().max(720).optional(),
    emergency: z.boolean().optional(),
    type: z.enum(['information', 'complaint']).optional(),
    answer: Names.optional(),
    children: z.array(CategorySchema).optional(),
  }),
);

export const ServicesSchema = z.array(
  z.object({
    code: z.string().min(1),
    name: Names,
    phone: z.string().optional(),
    email: z.string().optional(),
    kind: z.string().optional(),
  }),
);
/** synonyms.json: a node's code -> the words and phrases callers use for it (any language, any alphabet). */
export const SynonymsSchema = z.record(z.string(), z.array(z.string().min(1)));
export const RoutingSchema = z.array(z.object({ category: z.string(), district: z.string().nullable().optional(), service: z.string() }));
export const HolidaysSchema = z.array(
  z.object({
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    name: Names.optional(),
    kind: z.enum(['holiday', 'workday']).optional(),
  }),
);
export const DistrictsSchema = z.object({
  type: z.literal('FeatureCollection'),
  provenance: z.string().optional(),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      properties: z.object({
        code: z.string().min(1),
        name_kk: z.string().optional(),
        name_ru: z.string().optional(),
        name_en: z.string().optional(),
        population: z.number().int().nullable().optional(),
        approximate: z.boolean().optional(),
      }),
      geometry: z.object({ type: z.enum(['Polygon', 'MultiPolygon']) }).passthrough(),
    }),
  ),
});
