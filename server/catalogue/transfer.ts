import type pg from 'pg';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { flattenCategories } from '../geodata/pack.ts';
import type { PackCategory } from '../geodata/pack-read.ts';
import { fillNames } from '../geodata/pack-names.ts';
import { LANGS, Names, type Lang, type PackNames } from '../geodata/pack-schema.ts';
import { inChange, type Editor } from './change.ts';
import { extraFields } from './extra.ts';
import { readCatalogue, type CategoryRow, type HolidayRow } from './queries.ts';
import { requestTypeProblems } from './request-type.ts';
import { CategoryCode, DistrictCode, NormSchema, RequestTypeSchema, ServiceCode } from './schemas.ts';

/**
 * The catalogue as one JSON document in the city pack's shapes: `categories` (categories.json,
 * the tree of active categories), `services` (services.json), `routing` (routing.json) and
 * `holidays` (holidays.json), and `synonyms` (synonyms.json: a node's code -> the words callers
 * use for it). Information requests carry `type: "information"` and their `answer` on the node,
 * as in categories.json. A category's fields this schema has no column for are kept in
 * categories.extra and written back as they came.
 */

interface ImportNode {
  code: string;
  name: PackNames;
  children?: ImportNode[];
  [key: string]: unknown;
}
const NodeSchema: z.ZodType<ImportNode> = z.lazy(() =>
  z
    .object({
      code: CategoryCode,
      name: Names,
      icon: z.string().max(64).optional(),
      color: z
        .string()
        .regex(/^#[0-9a-fA-F]{6}$/)
        .optional(),
      norm: NormSchema.optional(),
      priority: z.number().int().min(1).max(4).optional(),
      service: ServiceCode.optional(),
      radiusM: z.number().int().min(1).max(5000).optional(),
      windowHours: z.number().int().min(1).max(720).optional(),
      emergency: z.boolean().optional(),
      type: RequestTypeSchema.optional(),
      answer: Names.optional(),
      children: z.array(NodeSchema).optional(),
    })
    .passthrough(),
) as z.ZodType<ImportNode>;

export const CatalogueDocument = z
  .object({
    format: z.literal('jardem-catalogue').optional(),
    version: z.number().optional(),
    exportedAt: z.string().optional(),
    categories: z.array(NodeSchema),
    services: z.array(
      z
        .object({
          code: ServiceCode,
          name: Names,
          kind: z.string().max(64).optional(),
          phone: z.string().max(200).optional(),
          email: z.string().max(200).optional(),
          active: z.boolean().optional(),
        })
        .strict(),
    ),
    routing: z.array(z.object({ category: CategoryCode, district: DistrictCode.nullable().optional(), service: ServiceCode }).strict()),
    holidays: z.array(
      z
        .object({
          date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
          name: Names.optional(),
          kind: z.enum(['holiday', 'workday']).optional(),
        })
        .strict(),
    ),
    /** As synonyms.json; absent: the synonyms stay as they are. */
    synonyms: z.record(CategoryCode, z.array(z.string().trim().min(1).max(500)).max(200)).optional(),
  })
  .strict();
export type CatalogueDoc = z.infer<typeof CatalogueDocument>;

export const ImportQuery = z
  .object({
    /** true: only check and answer the differences */
    dryRun: z.enum(['true', 'false']).optional(),
    /** the catalogue version the differences were computed against (required to apply) */
    version: z.coerce.number().int().positive().optional(),
  })
  .strict();

/** Writes the catalogue as one document in the pack's shapes. */
export async function exportCatalogue(db: Pick<pg.Pool, 'query'>) {
  const cat = await readCatalogue(db);
  const children = new Map<string | null, CategoryRow[]>();
  for (const c of cat.categories.filter((c) => c.active)) children.set(c.parent, [...(children.get(c.parent) ?? []), c]);
  const tree = (parent: string | null): Record<string, unknown>[] =>
    (children.get(parent) ?? [])
      .sort((a, b) => a.sort - b.sort || a.code.localeCompare(b.code))
      .map((c) => {
        const kids = tree(c.code);
        return {
          code: c.code,
          name: c.name,
          ...c.extra,
          ...(c.icon ? { icon: c.icon } : {}),
          ...(c.color ? { color: c.color } : {}),
          ...(c.norm ? { norm: c.norm } : {}),
          priority: c.priority,
          ...(c.service ? { service: c.service } : {}),
          radiusM: c.radiusM,
          windowHours: c.windowHours,
          emergency: c.emergency,
          ...(c.type ? { type: c.type } : {}),
          ...(c.answer ? { answer: presentNames(c.answer) } : {}),
          ...(kids.length ? { children: kids } : {}),
        };
      });
  return {
    format: 'jardem-catalogue' as const,
    version: cat.version,
    exportedAt: new Date().toISOString(),
    categories: tree(null),
    services: cat.services.map((s) => ({
      code: s.code,
      name: s.name,
      ...(s.kind ? { kind: s.kind } : {}),
      ...(s.phone ? { phone: s.phone } : {}),
      ...(s.email ? { email: s.email } : {}),
      ...(s.active ? {} : { active: false }),
    })),
    routing: cat.routing.map((r) => ({ category: r.category, district: r.district, service: r.service })),
    holidays: cat.holidays.map((h) => ({ date: h.date, kind: h.kind, ...(nameOf(h) ? { name: nameOf(h) } : {}) })),
    synonyms: Object.fromEntries(cat.categories.filter((c) => c.active && c.synonyms.length).map((c) => [c.code, c.synonyms])),
  };
}

/** Only the languages that have a text (an answer is stored with null for a missing one). */
const presentNames = (n: Record<string, string | null>) => Object.fromEntries(Object.entries(n).filter(([, v]) => v));
/** An answer as the database keeps it: every language, null where missing. */
const fullAnswer = (n: Record<string, string | null | undefined> | null | undefined) =>
  n ? { kk: n.kk ?? null, ru: n.ru ?? null, en: n.en ?? null } : null;

const nameOf = (h: HolidayRow) => {
  const n = Object.fromEntries(Object.entries(h.name).filter(([, v]) => v));
  return Object.keys(n).length ? n : undefined;
};

/** A category as the import compares it: every setting, no bookkeeping. */
interface Wanted {
  code: string;
  parent: string | null;
  depth: number;
  sort: number;
  name: { kk: string; ru: string; en: string };
  icon: string | null;
  color: string | null;
  norm: { hours: number } | { workingDays: number } | null;
  priority: number;
  emergency: boolean;
  service: string | null;
  radiusM: number;
  windowHours: number;
  type: 'information' | 'complaint' | null;
  answer: { kk: string | null; ru: string | null; en: string | null } | null;
  synonyms: string[];
  extra: Record<string, unknown>;
}

const comparable = (c: Omit<Wanted, 'sort' | 'depth'> & { active?: boolean }) =>
  JSON.stringify([
    c.parent,
    c.name,
    c.icon,
    c.color,
    c.norm,
    c.priority,
    c.emergency,
    c.service,
    c.radiusM,
    c.windowHours,
    c.type,
    fullAnswer(c.answer),
    c.synonyms,
    sortKeys(c.extra),
  ]);

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => [k, sortKeys(x)]),
    );
  return v;
}

export interface ImportPlan {
  /** the catalogue version the plan was made against (send it back to apply) */
  version: number;
  categories: { added: string[]; changed: string[]; retired: string[]; restored: string[] };
  services: { added: string[]; changed: string[]; deactivated: string[] };
  routing: { added: string[]; changed: string[]; removed: string[] };
  holidays: { added: string[]; changed: string[]; removed: string[] };
}

function invalid(problems: { path: string; message: string }[]): AppError {
  return new AppError(400, 'bad_request', `The catalogue is not valid: ${problems.length} problem(s).`, problems.slice(0, 50));
}

/** Checks a document against itself and the database (codes, references, depth); throws 400 listing every problem. */
async function plan(db: Pick<pg.Pool, 'query'>, doc: CatalogueDoc) {
  const current = await readCatalogue(db);
  const city = await db.query<{ languages: Lang[] | null }>(`SELECT value->'languages' AS languages FROM city_settings WHERE key = 'city'`);
  const order = (city.rows[0]?.languages ?? LANGS) as Lang[];
  const problems: { path: string; message: string }[] = [];
  const fill = (nodes: ImportNode[]): PackCategory[] =>
    nodes.map((n) => ({ ...n, name: fillNames(n.name, order), children: n.children && fill(n.children) }) as PackCategory);
  const flat = flattenCategories(fill(doc.categories));
  const serviceCodes = new Set(doc.services.map((s) => s.code));
  const currentByCode = new Map(current.categories.map((c) => [c.code, c]));
  const synonymsOf = (code: string) => (doc.synonyms ? (doc.synonyms[code] ?? []) : (currentByCode.get(code)?.synonyms ?? []));
  const districtCodes = new Set((await db.query<{ code: string }>('SELECT code FROM districts')).rows.map((r) => r.code));
  const seen = new Set<string>();
  const wanted = new Map<string, Wanted>();
  for (const [i, f] of flat.entries()) {
    const n = f.node as PackCategory & Record<string, unknown>;
    if (seen.has(n.code)) problems.push({ path: `categories[${i}].code`, message: `code "${n.code}" appears twice` });
    seen.add(n.code);
    if (f.depth > 4) problems.push({ path: `categories.${n.code}`, message: 'deeper than 5 levels' });
    if (n.service && !serviceCodes.has(n.service))
      problems.push({ path: `categories.${n.code}.service`, message: `unknown service "${n.service}"` });
    for (const message of requestTypeProblems({ type: n.type, answer: n.answer, children: n.children?.length }))
      problems.push({ path: `categories.${n.code}.${message.includes('without an answer') ? 'answer' : 'type'}`, message });
    wanted.set(n.code, {
      code: n.code,
      parent: f.parent,
      depth: f.depth,
      sort: f.sort,
      name: n.name,
      icon: n.icon ?? null,
      color: n.color ?? null,
      norm: (n.norm as Wanted['norm']) ?? null,
      priority: n.priority ?? 3,
      emergency: n.emergency ?? false,
      service: n.service ?? null,
      radiusM: n.radiusM ?? 100,
      windowHours: n.windowHours ?? 72,
      type: n.type ?? null,
      answer: fullAnswer(n.answer),
      synonyms: synonymsOf(n.code),
      extra: extraFields(f.node as Record<string, unknown>),
    });
  }
  for (const code of Object.keys(doc.synonyms ?? {}))
    if (!wanted.has(code)) problems.push({ path: `synonyms.${code}`, message: `unknown category "${code}"` });
  const svcSeen = new Set<string>();
  doc.services.forEach((s, i) => {
    if (svcSeen.has(s.code)) problems.push({ path: `services[${i}].code`, message: `code "${s.code}" appears twice` });
    svcSeen.add(s.code);
  });
  const ruleKey = (r: { category: string; district?: string | null }) => `${r.category}@${r.district ?? '*'}`;
  const ruleSeen = new Set<string>();
  doc.routing.forEach((r, i) => {
    if (!wanted.has(r.category)) problems.push({ path: `routing[${i}].category`, message: `unknown category "${r.category}"` });
    if (!serviceCodes.has(r.service)) problems.push({ path: `routing[${i}].service`, message: `unknown service "${r.service}"` });
    if (r.district && !districtCodes.has(r.district))
      problems.push({ path: `routing[${i}].district`, message: `unknown district "${r.district}"` });
    if (ruleSeen.has(ruleKey(r))) problems.push({ path: `routing[${i}]`, message: `a second rule for ${ruleKey(r)}` });
    ruleSeen.add(ruleKey(r));
  });
  const daySeen = new Set<string>();
  doc.holidays.forEach((h, i) => {
    const d = new Date(`${h.date}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || !d.toISOString().startsWith(h.date))
      problems.push({ path: `holidays[${i}].date`, message: 'not a date' });
    if (daySeen.has(h.date)) problems.push({ path: `holidays[${i}].date`, message: `${h.date} appears twice` });
    daySeen.add(h.date);
  });
  if (problems.length) throw invalid(problems);

  const byCode = currentByCode;
  const svcByCode = new Map(current.services.map((s) => [s.code, s]));
  const rules = new Map(current.routing.map((r) => [ruleKey(r), r]));
  const days = new Map(current.holidays.map((h) => [h.date, h]));
  const p: ImportPlan = {
    version: current.version,
    categories: { added: [], changed: [], retired: [], restored: [] },
    services: { added: [], changed: [], deactivated: [] },
    routing: { added: [], changed: [], removed: [] },
    holidays: { added: [], changed: [], removed: [] },
  };
  for (const w of wanted.values()) {
    const c = byCode.get(w.code);
    if (!c) p.categories.added.push(w.code);
    else {
      if (!c.active) p.categories.restored.push(w.code);
      if (comparable(c) !== comparable(w)) p.categories.changed.push(w.code);
    }
  }
  for (const c of current.categories) if (c.active && !wanted.has(c.code)) p.categories.retired.push(c.code);
  for (const s of doc.services) {
    const c = svcByCode.get(s.code);
    const name = fillNames(s.name, order);
    if (!c) p.services.added.push(s.code);
    else if (
      JSON.stringify([c.name, c.kind, c.phone, c.email, c.active]) !==
      JSON.stringify([name, s.kind ?? null, s.phone ?? null, s.email ?? null, s.active ?? true])
    )
      p.services.changed.push(s.code);
  }
  for (const s of current.services) if (s.active && !serviceCodes.has(s.code)) p.services.deactivated.push(s.code);
  for (const r of doc.routing) {
    const c = rules.get(ruleKey(r));
    if (!c) p.routing.added.push(ruleKey(r));
    else if (c.service !== r.service) p.routing.changed.push(ruleKey(r));
  }
  for (const k of rules.keys()) if (!ruleSeen.has(k)) p.routing.removed.push(k);
  for (const h of doc.holidays) {
    const c = days.get(h.date);
    const name = { kk: h.name?.kk ?? null, ru: h.name?.ru ?? null, en: h.name?.en ?? null };
    if (!c) p.holidays.added.push(h.date);
    else if (JSON.stringify([c.kind, c.name]) !== JSON.stringify([h.kind ?? 'holiday', name])) p.holidays.changed.push(h.date);
  }
  for (const d of days.keys()) if (!daySeen.has(d)) p.holidays.removed.push(d);
  return { plan: p, wanted, order };
}

/** The differences an import would make, without making them. */
export async function dryRunImport(pool: pg.Pool, doc: CatalogueDoc): Promise<ImportPlan> {
  return (await plan(pool, doc)).plan;
}

/**
 * Applies a document in one transaction: services and categories upserted by code (a category
 * missing from the document is retired, never deleted: old appeals keep it), routing rules and
 * calendar days replaced. Refused (409) when the catalogue moved past `version` since the dry run.
 */
export async function applyImport(pool: pg.Pool, editor: Editor, doc: CatalogueDoc, version: number): Promise<ImportPlan> {
  return inChange(pool, editor, async (tx) => {
    const { db } = tx;
    if (tx.version - 1 !== version) {
      throw new AppError(
        409,
        'conflict',
        `The catalogue changed since version ${version} (now ${tx.version - 1}); run the dry run again.`,
        [{ path: 'version', message: `stale: the current version is ${tx.version - 1}`, current: tx.version - 1 }],
      );
    }
    const { plan: p, wanted, order } = await plan(db, doc);
    for (const s of doc.services) {
      const name = fillNames(s.name, order);
      await db.query(
        `INSERT INTO services (code, name_kk, name_ru, name_en, kind, phone, email, active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (code) DO UPDATE SET name_kk = EXCLUDED.name_kk, name_ru = EXCLUDED.name_ru, name_en = EXCLUDED.name_en,
           kind = EXCLUDED.kind, phone = EXCLUDED.phone, email = EXCLUDED.email, active = EXCLUDED.active,
           version = services.version + CASE WHEN $9 THEN 1 ELSE 0 END`,
        [
          s.code,
          name.kk,
          name.ru,
          name.en,
          s.kind ?? null,
          s.phone ?? null,
          s.email ?? null,
          s.active ?? true,
          p.services.changed.includes(s.code),
        ],
      );
    }
    if (p.services.deactivated.length)
      await db.query('UPDATE services SET active = false, version = version + 1 WHERE code = ANY($1)', [p.services.deactivated]);
    const changed = new Set([...p.categories.added, ...p.categories.changed, ...p.categories.restored]);
    // Parents before children (wanted is in depth-first order), so each parent exists when its child is written.
    for (const w of wanted.values()) {
      await db.query(
        `INSERT INTO categories (code, parent_id, depth, sort, name_kk, name_ru, name_en, icon, color, norm_hours, norm_working_days, priority,
                                 default_service_id, duplicate_radius_m, duplicate_window_h, emergency, extra, active,
                                 request_type, answer_kk, answer_ru, answer_en, synonyms)
         VALUES ($1, (SELECT id FROM categories WHERE code = $2), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                 (SELECT id FROM services WHERE code = $13), $14, $15, $16, $17, true, $19, $20, $21, $22, $23)
         ON CONFLICT (code) DO UPDATE SET parent_id = EXCLUDED.parent_id, depth = EXCLUDED.depth, sort = EXCLUDED.sort,
           name_kk = EXCLUDED.name_kk, name_ru = EXCLUDED.name_ru, name_en = EXCLUDED.name_en, icon = EXCLUDED.icon, color = EXCLUDED.color,
           norm_hours = EXCLUDED.norm_hours, norm_working_days = EXCLUDED.norm_working_days, priority = EXCLUDED.priority,
           default_service_id = EXCLUDED.default_service_id, duplicate_radius_m = EXCLUDED.duplicate_radius_m,
           duplicate_window_h = EXCLUDED.duplicate_window_h, emergency = EXCLUDED.emergency, extra = EXCLUDED.extra,
           request_type = EXCLUDED.request_type, answer_kk = EXCLUDED.answer_kk, answer_ru = EXCLUDED.answer_ru,
           answer_en = EXCLUDED.answer_en, synonyms = EXCLUDED.synonyms,
           active = true, retired_at = NULL, version = categories.version + CASE WHEN $18 THEN 1 ELSE 0 END`,
        [
          w.code,
          w.parent,
          w.depth,
          w.sort,
          w.name.kk,
          w.name.ru,
          w.name.en,
          w.icon,
          w.color,
          w.norm && 'hours' in w.norm ? w.norm.hours : null,
          w.norm && 'workingDays' in w.norm ? w.norm.workingDays : null,
          w.priority,
          w.service,
          w.radiusM,
          w.windowHours,
          w.emergency,
          JSON.stringify(w.extra),
          changed.has(w.code),
          w.type,
          w.answer?.kk ?? null,
          w.answer?.ru ?? null,
          w.answer?.en ?? null,
          w.synonyms,
        ],
      );
    }
    // Each category's sphere is the root of its path (a sphere its own).
    await db.query(
      `WITH RECURSIVE t(id, sphere) AS (
         SELECT id, id FROM categories WHERE parent_id IS NULL
         UNION ALL SELECT c.id, t.sphere FROM categories c JOIN t ON c.parent_id = t.id)
       UPDATE categories c SET sphere_id = t.sphere FROM t WHERE t.id = c.id AND c.sphere_id IS DISTINCT FROM t.sphere`,
    );
    if (p.categories.retired.length) {
      await db.query('UPDATE categories SET active = false, retired_at = now(), version = version + 1 WHERE code = ANY($1)', [
        p.categories.retired,
      ]);
    }
    await db.query('DELETE FROM routing_rules');
    for (const r of doc.routing) {
      await db.query(
        `INSERT INTO routing_rules (category_id, district_id, service_id)
         SELECT c.id, (SELECT id FROM districts WHERE code = $2), s.id FROM categories c, services s WHERE c.code = $1 AND s.code = $3`,
        [r.category, r.district ?? null, r.service],
      );
    }
    await db.query('DELETE FROM calendar_days');
    for (const h of doc.holidays) {
      await db.query('INSERT INTO calendar_days (day, kind, name_kk, name_ru, name_en) VALUES ($1::date, $2, $3, $4, $5)', [
        h.date,
        h.kind ?? 'holiday',
        h.name?.kk ?? null,
        h.name?.ru ?? null,
        h.name?.en ?? null,
      ]);
    }
    const after = new Map((await readCatalogue(db)).categories.map((c) => [c.code, c]));
    for (const code of [...p.categories.added, ...p.categories.changed, ...p.categories.restored, ...p.categories.retired]) {
      const { id: _id, ...row } = after.get(code)!;
      await tx.log(
        'category',
        code,
        p.categories.retired.includes(code) ? 'retire' : p.categories.added.includes(code) ? 'create' : 'update',
        null,
        row,
      );
    }
    await tx.log('catalogue', 'import', 'import', { version }, p);
    return { ...p, version: tx.version };
  });
}
