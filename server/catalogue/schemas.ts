import { z } from 'zod';

/**
 * What /api/admin/catalogue accepts. Limits are the law's and the database's: an appeal's term
 * is at most 15 working days (the Administrative Procedural Code), so a norm in working days is
 * 1–15 and a norm in hours at most 360 (15 days on the clock, which 15 working days always
 * exceed); priority 1 (highest) to 4; a duplicate radius in metres, a window in hours.
 */
export const MAX_WORKING_DAYS = 15;
export const MAX_HOURS = 15 * 24;

const text = (max: number) => z.string().trim().min(1).max(max);
export const FullNamesSchema = z.object({ kk: text(200), ru: text(200), en: text(200) }).strict();
export const NormSchema = z.union([
  z.object({ hours: z.number().int().positive().max(MAX_HOURS) }).strict(),
  z.object({ workingDays: z.number().int().positive().max(MAX_WORKING_DAYS) }).strict(),
]);
export type Norm = z.infer<typeof NormSchema>;

export const CategoryCode = z.string().regex(/^[a-z0-9_.]{1,128}$/, 'lowercase letters, digits, "_" and "." (at most 128)');
export const ServiceCode = z.string().regex(/^[a-z0-9_.-]{1,64}$/, 'lowercase letters, digits, "_", "." and "-" (at most 64)');
export const DistrictCode = z.string().regex(/^[a-z0-9_-]{1,64}$/);
export const Version = z.number().int().positive();
const Priority = z.number().int().min(1).max(4);
const RadiusM = z.number().int().min(1).max(5000);
const WindowHours = z.number().int().min(1).max(720);
const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'like "#1a2b3c"');

/** What the dispatcher tells the caller of an information request, in every language (at most 2,000 characters each). */
export const AnswerSchema = z.object({ kk: text(2000), ru: text(2000), en: text(2000) }).strict();
/** The words callers use for a node (kk and ru, any alphabet; an entry may list several, as synonyms.json does, at most 500 characters): what the picker’s search matches besides the names. */
export const SynonymsSchema = z
  .array(text(500))
  .max(200)
  .transform((words) => [...new Set(words)]);
export const RequestTypeSchema = z.enum(['information', 'complaint']);

/** The settings of a category that an edit may set (a kind, a category or a sphere alike). */
const CategorySettings = {
  /** 'information': a question answered on the call with `answer` (required then, refused otherwise); null: an ordinary kind */
  type: RequestTypeSchema.nullable(),
  answer: AnswerSchema.nullable(),
  synonyms: SynonymsSchema,
  norm: NormSchema,
  priority: Priority,
  emergency: z.boolean(),
  service: ServiceCode,
  radiusM: RadiusM,
  windowHours: WindowHours,
  icon: z.string().max(64),
  color: Color,
};

export const NewCategorySchema = z
  .object({
    code: CategoryCode,
    /** null: a new sphere */
    parent: CategoryCode.nullable(),
    name: FullNamesSchema,
    ...CategorySettings,
  })
  .partial({
    norm: true,
    priority: true,
    emergency: true,
    service: true,
    radiusM: true,
    windowHours: true,
    icon: true,
    color: true,
    type: true,
    answer: true,
    synonyms: true,
  })
  .strict();
export type NewCategory = z.infer<typeof NewCategorySchema>;

/** An edit names the version it read; `parent` moves, `active` retires (false) or restores (true). */
export const CategoryPatchSchema = z
  .object({
    version: Version,
    name: FullNamesSchema,
    parent: CategoryCode.nullable(),
    active: z.boolean(),
    ...CategorySettings,
    service: ServiceCode.nullable(),
    icon: z.string().max(64).nullable(),
    color: Color.nullable(),
  })
  .partial()
  .required({ version: true })
  .strict();
export type CategoryPatch = z.infer<typeof CategoryPatchSchema>;

const Contact = z.string().trim().max(200);
export const NewServiceSchema = z
  .object({
    code: ServiceCode,
    name: FullNamesSchema,
    kind: z.string().trim().max(64).optional(),
    phone: Contact.optional(),
    email: Contact.optional(),
    active: z.boolean().optional(),
  })
  .strict();
export type NewService = z.infer<typeof NewServiceSchema>;

export const ServicePatchSchema = z
  .object({
    version: Version,
    name: FullNamesSchema,
    kind: z.string().trim().max(64).nullable(),
    phone: Contact.nullable(),
    email: Contact.nullable(),
    active: z.boolean(),
  })
  .partial()
  .required({ version: true })
  .strict();
export type ServicePatch = z.infer<typeof ServicePatchSchema>;

/** A routing rule: appeals of `category` (and below) in `district` (null: anywhere) go to `service`. */
export const NewRuleSchema = z.object({ category: CategoryCode, district: DistrictCode.nullable(), service: ServiceCode }).strict();
export const RulePatchSchema = z.object({ version: Version, service: ServiceCode }).strict();
export const RuleDeleteQuery = z.object({ version: z.coerce.number().int().positive() }).strict();

/** Where a sample point would go: [lng, lat] in WGS 84. */
export const PreviewSchema = z
  .object({ category: CategoryCode, lng: z.number().min(-180).max(180), lat: z.number().min(-90).max(90) })
  .strict();

export const HolidayParam = z.object({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a date'),
});
export const HolidaySchema = z
  .object({
    /** holiday: a day off; workday: a weekend day worked (a transfer) */
    kind: z.enum(['holiday', 'workday']),
    name: z
      .object({ kk: z.string().trim().max(200), ru: z.string().trim().max(200), en: z.string().trim().max(200) })
      .partial()
      .optional(),
  })
  .strict();

export const CodeParam = z.object({ code: z.string().min(1).max(128) });
export const IdParam = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1),
});
export const ChangesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    /** changes older than this id (the next page) */
    before: z.coerce.number().int().positive().optional(),
    entity: z.enum(['category', 'service', 'routing', 'holiday', 'catalogue']).optional(),
    code: z.string().min(1).max(128).optional(),
  })
  .strict();
