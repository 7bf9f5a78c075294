import type pg from 'pg';
import { namesSql } from '../db/sql.ts';
import { AppError, badRequest, conflict, notFound } from '../errors.ts';
import { checkVersion, inChange, snapshot, type ChangeTx, type Editor } from './change.ts';
import { ruleById, type RuleRow } from './queries.ts';

const ruleCode = (r: { category: string; district: string | null }) => `${r.category}@${r.district ?? '*'}`;

async function idOf(db: ChangeTx['db'], table: 'categories' | 'services' | 'districts', code: string, path: string): Promise<number> {
  const { rows } = await db.query<{ id: number }>(`SELECT id FROM ${table} WHERE code = $1`, [code]);
  if (!rows[0]) throw badRequest(`Unknown ${path}: ${code}.`, [{ path, message: `unknown code "${code}"` }]);
  return rows[0].id;
}

/** Adds a rule: appeals of `category` (and below) in `district` (null: city-wide) go to `service`. */
export async function createRule(
  pool: pg.Pool,
  editor: Editor,
  input: { category: string; district: string | null; service: string },
): Promise<RuleRow> {
  return inChange(pool, editor, async (tx) => {
    const category = await idOf(tx.db, 'categories', input.category, 'category');
    const district = input.district === null ? null : await idOf(tx.db, 'districts', input.district, 'district');
    const service = await idOf(tx.db, 'services', input.service, 'service');
    const { rows } = await tx.db.query<{ id: number }>(
      `INSERT INTO routing_rules (category_id, district_id, service_id) VALUES ($1, $2, $3)
       ON CONFLICT (category_id, coalesce(district_id, 0)) DO NOTHING RETURNING id`,
      [category, district, service],
    );
    if (!rows[0]) throw conflict(`A rule for ${ruleCode(input)} exists already: edit it.`, [{ path: 'category', message: 'rule exists' }]);
    const after = (await ruleById(tx.db, rows[0].id))!;
    await tx.log('routing', ruleCode(after), 'create', undefined, snapshot(after));
    return after;
  });
}

export async function patchRule(pool: pg.Pool, editor: Editor, id: number, patch: { version: number; service: string }): Promise<RuleRow> {
  return inChange(pool, editor, async (tx) => {
    await tx.db.query('SELECT 1 FROM routing_rules WHERE id = $1 FOR UPDATE', [id]);
    const before = await ruleById(tx.db, id);
    if (!before) throw notFound('Routing rule');
    checkVersion('routing rule', before.version, patch.version);
    const service = await idOf(tx.db, 'services', patch.service, 'service');
    await tx.db.query('UPDATE routing_rules SET service_id = $2, version = version + 1 WHERE id = $1', [id, service]);
    const after = (await ruleById(tx.db, id))!;
    await tx.log('routing', ruleCode(after), 'update', snapshot(before), snapshot(after));
    return after;
  });
}

export async function deleteRule(pool: pg.Pool, editor: Editor, id: number, version: number): Promise<void> {
  await inChange(pool, editor, async (tx) => {
    await tx.db.query('SELECT 1 FROM routing_rules WHERE id = $1 FOR UPDATE', [id]);
    const before = await ruleById(tx.db, id);
    if (!before) throw notFound('Routing rule');
    checkVersion('routing rule', before.version, version);
    await tx.db.query('DELETE FROM routing_rules WHERE id = $1', [id]);
    await tx.log('routing', ruleCode(before), 'delete', snapshot(before), undefined);
  });
}

export interface RoutePreview {
  district: { code: string; name: { kk: string; ru: string; en: string } };
  service: { code: string; name: { kk: string; ru: string; en: string }; active: boolean } | null;
  /** the rule that decided, or null when the category's (or an ancestor's) default service did */
  rule: { category: string; district: string | null } | null;
}

/**
 * Where an appeal of `category` at [lng, lat] would go: the district as intake finds it (the
 * lowest id of the districts that contain the point) and the service from route_service(), the
 * SQL function intake inserts with. 422 outside every district, as intake answers.
 */
export async function previewRoute(pool: pg.Pool, category: string, lng: number, lat: number): Promise<RoutePreview> {
  const { rows } = await pool.query(
    `WITH RECURSIVE cat AS (SELECT id FROM categories WHERE code = $1),
          d AS (SELECT d.id FROM districts d WHERE ST_Intersects(d.geom, ST_SetSRID(ST_MakePoint($2, $3), 4326)) ORDER BY d.id LIMIT 1),
          routed AS (SELECT route_service(cat.id, d.id) AS service_id, d.id AS district_id FROM cat, d),
          up(id, code, parent_id, default_service_id, depth) AS (
            SELECT c.id, c.code, c.parent_id, c.default_service_id, c.depth FROM categories c JOIN cat ON cat.id = c.id
            UNION ALL
            SELECT c.id, c.code, c.parent_id, c.default_service_id, c.depth FROM categories c JOIN up ON c.id = up.parent_id),
          -- route_service's candidates in its order, to say which one decided
          decided AS (
            SELECT * FROM (
              SELECT up.code AS category, rd.code AS district, up.depth, (r.district_id IS NOT NULL) AS specific, 1 AS source
                FROM up JOIN routing_rules r ON r.category_id = up.id LEFT JOIN districts rd ON rd.id = r.district_id
               WHERE r.district_id IS NULL OR r.district_id = (SELECT id FROM d)
              UNION ALL
              SELECT up.code, NULL, up.depth, false, 2 FROM up WHERE up.default_service_id IS NOT NULL) c
            ORDER BY depth DESC, specific DESC, source LIMIT 1)
     SELECT (SELECT count(*) FROM cat)::int AS known,
            dd.code AS district_code, ${namesSql('dd')} AS district_name,
            s.code AS service_code, ${namesSql('s')} AS service_name, s.active AS service_active,
            (SELECT json_build_object('category', category, 'district', district) FROM decided WHERE source = 1) AS rule
       FROM (SELECT 1) one
       LEFT JOIN routed ON true
       LEFT JOIN districts dd ON dd.id = routed.district_id
       LEFT JOIN services s ON s.id = routed.service_id`,
    [category, lng, lat],
  );
  const r = rows[0];
  if (!r.known) throw badRequest(`Unknown category: ${category}.`, [{ path: 'category', message: `unknown code "${category}"` }]);
  if (!r.district_code) {
    throw new AppError(422, 'outside_city', `The point [${lng}, ${lat}] is outside the city: no district contains it.`, [
      { path: 'lng', message: 'not inside any district of the city' },
    ]);
  }
  return {
    district: { code: r.district_code, name: r.district_name },
    service: r.service_code ? { code: r.service_code, name: r.service_name, active: r.service_active } : null,
    rule: r.rule,
  };
}
