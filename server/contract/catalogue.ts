/** Answers of the catalogue editor (server/catalogue, /api/admin/catalogue): admin only. */
import { z } from 'zod';
import { namesSchema } from './geojson.ts';

const normSchema = z.union([z.object({ hours: z.number() }), z.object({ workingDays: z.number() })]);
/** A name per language; a language not given is null (calendar days). */
const someNames = z.object({ kk: z.string().nullable(), ru: z.string().nullable(), en: z.string().nullable() });

/** A category as the editor sees it (retired ones too). */
export const catalogueCategorySchema = z.object({
  id: z.number().int(),
  code: z.string(),
  parent: z.string().nullable(),
  sphere: z.string().nullable(),
  depth: z.number().int(),
  sort: z.number().int(),
  name: namesSchema,
  icon: z.string().nullable(),
  color: z.string().nullable(),
  norm: normSchema.nullable(),
  priority: z.number().int(),
  emergency: z.boolean(),
  service: z.string().nullable(),
  /** duplicate radius, metres */
  radiusM: z.number().int(),
  /** duplicate window, hours */
  windowHours: z.number().int(),
  active: z.boolean(),
  retiredAt: z.string().nullable(),
  version: z.number().int(),
  /** 'information': answered on the call with `answer`; null: an ordinary kind */
  type: z.enum(['information', 'complaint']).nullable(),
  answer: namesSchema.nullable(),
  /** the words callers use for it */
  synonyms: z.array(z.string()),
  /** the pack's fields without a column, kept as they came */
  extra: z.record(z.string(), z.unknown()),
});

export const catalogueServiceSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  name: namesSchema,
  kind: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  active: z.boolean(),
  version: z.number().int(),
});

/** A routing rule: appeals of `category` (and below) in `district` (null: city-wide) go to `service`. */
export const routingRuleSchema = z.object({
  id: z.number().int(),
  category: z.string(),
  district: z.string().nullable(),
  service: z.string(),
  version: z.number().int(),
});

/** A day of the working calendar: a holiday (day off) or a worked weekend day. */
export const calendarDaySchema = z.object({
  /** YYYY-MM-DD */
  date: z.string(),
  kind: z.enum(['holiday', 'workday']),
  name: someNames,
});

/** GET /api/admin/catalogue */
export const catalogueSchema = z.object({
  version: z.number().int(),
  categories: z.array(catalogueCategorySchema),
  services: z.array(catalogueServiceSchema),
  routing: z.array(routingRuleSchema),
  holidays: z.array(calendarDaySchema),
});

/** POST /api/admin/catalogue/routing/preview */
export const routePreviewSchema = z.object({
  district: z.object({ code: z.string(), name: namesSchema }),
  service: z.object({ code: z.string(), name: namesSchema, active: z.boolean() }).nullable(),
  /** the rule that decided, or null when a default service did */
  rule: z.object({ category: z.string(), district: z.string().nullable() }).nullable(),
});

/** GET /api/admin/catalogue/changes: newest first; `next` is the `before` of the next page. */
export const catalogueChangesSchema = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      at: z.string(),
      login: z.string().nullable(),
      entity: z.enum(['category', 'service', 'routing', 'holiday', 'catalogue']),
      code: z.string(),
      action: z.enum(['create', 'update', 'move', 'retire', 'restore', 'delete', 'import']),
      before: z.unknown(),
      after: z.unknown(),
      version: z.number().int(),
    }),
  ),
  next: z.number().int().nullable(),
});

/** A category node of the exported document: the pack's shape (categories.json), its extra fields as they came. */
const exportNodeSchema = z.looseObject({
  code: z.string(),
  name: namesSchema,
  icon: z.string().optional(),
  color: z.string().optional(),
  norm: normSchema.optional(),
  priority: z.number().int(),
  service: z.string().optional(),
  radiusM: z.number().int(),
  windowHours: z.number().int(),
  emergency: z.boolean(),
  type: z.enum(['information', 'complaint']).optional(),
  answer: namesSchema.optional(),
  /** the node's children, of the same shape */
  children: z.array(z.looseObject({ code: z.string() })).optional(),
});

/** GET /api/admin/catalogue/export: the document POST /import takes back. */
export const catalogueDocumentSchema = z.object({
  format: z.literal('jardem-catalogue'),
  version: z.number().int(),
  exportedAt: z.string(),
  categories: z.array(exportNodeSchema),
  services: z.array(
    z.object({
      code: z.string(),
      name: namesSchema,
      kind: z.string().optional(),
      phone: z.string().optional(),
      email: z.string().optional(),
      active: z.literal(false).optional(),
    }),
  ),
  routing: z.array(z.object({ category: z.string(), district: z.string().nullable(), service: z.string() })),
  /** the words callers use, by category code (the pack's synonyms.json) */
  synonyms: z.record(z.string(), z.array(z.string())).optional(),
  holidays: z.array(
    z.object({
      date: z.string(),
      kind: z.enum(['holiday', 'workday']),
      name: z.object({ kk: z.string(), ru: z.string(), en: z.string() }).partial().optional(),
    }),
  ),
});

const codes = z.array(z.string());
/** POST /api/admin/catalogue/import: the differences (applied unless `dryRun`) and the version they were computed against. */
export const importPlanSchema = z.object({
  dryRun: z.boolean(),
  version: z.number().int(),
  categories: z.object({ added: codes, changed: codes, retired: codes, restored: codes }),
  services: z.object({ added: codes, changed: codes, deactivated: codes }),
  routing: z.object({ added: codes, changed: codes, removed: codes }),
  holidays: z.object({ added: codes, changed: codes, removed: codes }),
});

export type Catalogue = z.infer<typeof catalogueSchema>;
export type RoutePreview = z.infer<typeof routePreviewSchema>;
export type ImportPlanAnswer = z.infer<typeof importPlanSchema>;
export type CatalogueCategory = z.infer<typeof catalogueCategorySchema>;
export type CatalogueService = z.infer<typeof catalogueServiceSchema>;
export type RoutingRule = z.infer<typeof routingRuleSchema>;
export type CalendarDay = z.infer<typeof calendarDaySchema>;
