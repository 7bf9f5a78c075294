import type pg from 'pg';
import { namesSql } from '../db/sql.ts';
import type { RequestType } from './request-type.ts';
import type { Norm } from './schemas.ts';

type Db = Pick<pg.Pool, 'query'>;

/** A category as the admin screen and the change log see it. */
export interface CategoryRow {
  id: number;
  code: string;
  parent: string | null;
  sphere: string | null;
  depth: number;
  sort: number;
  name: { kk: string; ru: string; en: string };
  icon: string | null;
  color: string | null;
  norm: Norm | null;
  priority: number;
  emergency: boolean;
  service: string | null;
  radiusM: number;
  windowHours: number;
  active: boolean;
  retiredAt: string | null;
  version: number;
  /** 'information': answered on the call with `answer`; null: an ordinary kind (migration 024) */
  type: RequestType | null;
  answer: { kk: string; ru: string; en: string } | null;
  /** the words callers use for it, which the picker's search matches */
  synonyms: string[];
  /** the pack's fields without a column here */
  extra: Record<string, unknown>;
}

export interface ServiceRow {
  id: number;
  code: string;
  name: { kk: string; ru: string; en: string };
  kind: string | null;
  phone: string | null;
  email: string | null;
  active: boolean;
  version: number;
}

export interface RuleRow {
  id: number;
  category: string;
  district: string | null;
  service: string;
  version: number;
}

export interface HolidayRow {
  date: string;
  kind: 'holiday' | 'workday';
  name: { kk: string | null; ru: string | null; en: string | null };
}

const CATEGORY_SQL = `
  SELECT c.id, c.code, p.code AS parent, s.code AS sphere, c.depth, c.sort, ${namesSql('c')} AS name, c.icon, c.color,
         CASE WHEN c.norm_hours IS NOT NULL THEN json_build_object('hours', c.norm_hours)
              WHEN c.norm_working_days IS NOT NULL THEN json_build_object('workingDays', c.norm_working_days) END AS norm,
         c.priority, c.emergency, sv.code AS service, c.duplicate_radius_m AS "radiusM", c.duplicate_window_h AS "windowHours",
         c.active, to_char(c.retired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "retiredAt", c.version,
         c.request_type AS type,
         CASE WHEN c.answer_kk IS NOT NULL OR c.answer_ru IS NOT NULL OR c.answer_en IS NOT NULL
              THEN json_build_object('kk', c.answer_kk, 'ru', c.answer_ru, 'en', c.answer_en) END AS answer,
         c.synonyms, c.extra
    FROM categories c
    LEFT JOIN categories p ON p.id = c.parent_id
    LEFT JOIN categories s ON s.id = c.sphere_id
    LEFT JOIN services sv ON sv.id = c.default_service_id`;

export async function listCategories(db: Db): Promise<CategoryRow[]> {
  return (await db.query<CategoryRow>(`${CATEGORY_SQL} ORDER BY c.depth, c.sort, c.code`)).rows;
}

export async function categoryByCode(db: Db, code: string, lock = false): Promise<CategoryRow | undefined> {
  if (lock) await db.query('SELECT 1 FROM categories WHERE code = $1 FOR UPDATE', [code]);
  return (await db.query<CategoryRow>(`${CATEGORY_SQL} WHERE c.code = $1`, [code])).rows[0];
}

const SERVICE_SQL = `SELECT v.id, v.code, ${namesSql('v')} AS name, v.kind, v.phone, v.email, v.active, v.version FROM services v`;

export async function listServices(db: Db): Promise<ServiceRow[]> {
  return (await db.query<ServiceRow>(`${SERVICE_SQL} ORDER BY v.code`)).rows;
}

export async function serviceByCode(db: Db, code: string, lock = false): Promise<ServiceRow | undefined> {
  return (await db.query<ServiceRow>(`${SERVICE_SQL} WHERE v.code = $1${lock ? ' FOR UPDATE' : ''}`, [code])).rows[0];
}

const RULE_SQL = `
  SELECT r.id, c.code AS category, d.code AS district, s.code AS service, r.version
    FROM routing_rules r JOIN categories c ON c.id = r.category_id JOIN services s ON s.id = r.service_id
    LEFT JOIN districts d ON d.id = r.district_id`;

export async function listRules(db: Db): Promise<RuleRow[]> {
  return (await db.query<RuleRow>(`${RULE_SQL} ORDER BY c.code, d.code NULLS FIRST`)).rows;
}

export async function ruleById(db: Db, id: number): Promise<RuleRow | undefined> {
  return (await db.query<RuleRow>(`${RULE_SQL} WHERE r.id = $1`, [id])).rows[0];
}

export async function listHolidays(db: Db): Promise<HolidayRow[]> {
  return (
    await db.query<HolidayRow>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS date, kind, json_build_object('kk', name_kk, 'ru', name_ru, 'en', name_en) AS name
         FROM calendar_days ORDER BY day`,
    )
  ).rows;
}

export async function catalogueVersion(db: Db): Promise<number> {
  return Number((await db.query<{ version: string }>('SELECT version FROM catalogue_state')).rows[0].version);
}

/** Everything the admin screen edits, with the catalogue's version. */
export async function readCatalogue(db: Db) {
  // One after another: `db` may be a transaction's client, which takes one query at a time.
  const version = await catalogueVersion(db);
  const categories = await listCategories(db);
  const services = await listServices(db);
  const routing = await listRules(db);
  const holidays = await listHolidays(db);
  return { version, categories, services, routing, holidays };
}

export interface ChangeRow {
  id: number;
  at: string;
  login: string | null;
  entity: string;
  code: string;
  action: string;
  before: unknown;
  after: unknown;
  version: number;
}

/** The change log, newest first. */
export async function listChanges(
  db: Db,
  q: { limit: number; before?: number; entity?: string; code?: string },
): Promise<{ items: ChangeRow[]; next: number | null }> {
  const { rows } = await db.query<ChangeRow>(
    `SELECT id::int, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, login, entity, code, action, before, after, version::int
       FROM catalogue_changes
      WHERE ($1::bigint IS NULL OR id < $1) AND ($2::text IS NULL OR entity = $2) AND ($3::text IS NULL OR code = $3)
      ORDER BY id DESC LIMIT $4`,
    [q.before ?? null, q.entity ?? null, q.code ?? null, q.limit + 1],
  );
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit);
  return { items, next: more ? items[items.length - 1].id : null };
}
