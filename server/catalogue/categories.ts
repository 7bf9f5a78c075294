import type pg from 'pg';
import { badRequest, conflict, notFound } from '../errors.ts';
import { checkVersion, inChange, snapshot, type ChangeTx, type Editor } from './change.ts';
import { categoryByCode, type CategoryRow } from './queries.ts';
import { requestTypeProblems } from './request-type.ts';
import type { CategoryPatch, NewCategory, Norm } from './schemas.ts';

/** The deepest level of the tree (categories.depth CHECK): sphere 0 … 4. */
const MAX_DEPTH = 4;

const normColumns = (norm: Norm | null | undefined) =>
  norm ? [('hours' in norm ? norm.hours : null) ?? null, ('workingDays' in norm ? norm.workingDays : null) ?? null] : [null, null];

async function serviceId(db: ChangeTx['db'], code: string | null | undefined, path = 'service'): Promise<number | null> {
  if (code == null) return null;
  const { rows } = await db.query<{ id: number }>('SELECT id FROM services WHERE code = $1', [code]);
  if (!rows[0]) throw badRequest(`Unknown service: ${code}.`, [{ path, message: `unknown code "${code}"` }]);
  return rows[0].id;
}

/**
 * Refuses (400) a category whose request type and answer break the pack's rules
 * (server/catalogue/request-type.ts), or a parent that is an information request and so would
 * have kinds below it. Runs inside the editing transaction, after the change: a refusal undoes it.
 */
async function checkRequestType(db: ChangeTx['db'], code: string): Promise<void> {
  const { rows } = await db.query<{
    type: string | null;
    answered: boolean;
    children: number;
    parent_type: string | null;
    parent: string | null;
  }>(
    `SELECT c.request_type AS type, (c.answer_kk IS NOT NULL OR c.answer_ru IS NOT NULL OR c.answer_en IS NOT NULL) AS answered,
            (SELECT count(*)::int FROM categories k WHERE k.parent_id = c.id AND k.active) AS children,
            p.request_type AS parent_type, p.code AS parent
       FROM categories c LEFT JOIN categories p ON p.id = c.parent_id WHERE c.code = $1`,
    [code],
  );
  const r = rows[0];
  const problems = requestTypeProblems({
    type: r.type as 'information' | null,
    answer: r.answered ? true : null,
    children: r.children,
  }).map((message) => ({ path: message.includes('without an answer') ? 'answer' : 'type', message }));
  if (r.parent_type === 'information')
    problems.push({ path: 'parent', message: `${r.parent} is an information request: no kinds go below it` });
  if (problems.length) throw badRequest(`${code} ${problems[0].message}.`, problems);
}

/** Adds a category under `parent` (or a sphere); unset settings are taken from the parent, as a pack's are. */
export async function createCategory(pool: pg.Pool, editor: Editor, input: NewCategory): Promise<CategoryRow> {
  return inChange(pool, editor, async (tx) => {
    const { db } = tx;
    if (await categoryByCode(db, input.code)) throw conflict(`The code ${input.code} is taken.`, [{ path: 'code', message: 'taken' }]);
    const parent = input.parent === null ? null : await categoryByCode(db, input.parent);
    if (input.parent !== null && !parent)
      throw badRequest(`Unknown parent: ${input.parent}.`, [{ path: 'parent', message: 'unknown code' }]);
    if (parent && !parent.active)
      throw conflict(`${parent.code} is retired: restore it before adding under it.`, [{ path: 'parent', message: 'retired' }]);
    const depth = parent ? parent.depth + 1 : 0;
    if (depth > MAX_DEPTH) throw badRequest(`The tree is at most ${MAX_DEPTH + 1} levels deep.`, [{ path: 'parent', message: 'too deep' }]);
    const [hours, days] = normColumns(input.norm ?? parent?.norm);
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO categories (code, parent_id, sphere_id, depth, sort, name_kk, name_ru, name_en, icon, color, norm_hours, norm_working_days,
                               priority, default_service_id, duplicate_radius_m, duplicate_window_h, emergency,
                               request_type, answer_kk, answer_ru, answer_en, synonyms)
       SELECT $1, p.id, p.sphere_id, $3, coalesce((SELECT max(sort) + 1 FROM categories WHERE parent_id IS NOT DISTINCT FROM p.id), 0),
              $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20
         FROM (SELECT (SELECT id FROM categories WHERE code = $2) AS id, (SELECT sphere_id FROM categories WHERE code = $2) AS sphere_id) p
       RETURNING id`,
      [
        input.code,
        parent?.code ?? null,
        depth,
        input.name.kk,
        input.name.ru,
        input.name.en,
        input.icon ?? null,
        input.color ?? null,
        hours,
        days,
        input.priority ?? parent?.priority ?? 3,
        await serviceId(db, input.service ?? parent?.service),
        input.radiusM ?? parent?.radiusM ?? 100,
        input.windowHours ?? parent?.windowHours ?? 72,
        input.emergency ?? false,
        input.type ?? null,
        input.answer?.kk ?? null,
        input.answer?.ru ?? null,
        input.answer?.en ?? null,
        input.synonyms ?? [],
      ],
    );
    // A sphere is its own sphere (as the pack loader does).
    if (!parent) await db.query('UPDATE categories SET sphere_id = id WHERE id = $1', [rows[0].id]);
    await checkRequestType(db, input.code);
    const after = (await categoryByCode(db, input.code))!;
    await tx.log('category', input.code, 'create', undefined, snapshot(after));
    return after;
  });
}

/**
 * Edits a category: names, deadline norm, priority, emergency flag, default service, duplicate
 * radius and window; `parent` moves it with its subtree; `active: false` retires it with its
 * subtree (kept on old appeals and in statistics, no longer offered at intake), `true` restores
 * it. Appeals already registered keep their deadlines: nothing here touches incidents.
 */
export async function patchCategory(pool: pg.Pool, editor: Editor, code: string, patch: CategoryPatch): Promise<CategoryRow> {
  return inChange(pool, editor, async (tx) => {
    const { db } = tx;
    const before = await categoryByCode(db, code, true);
    if (!before) throw notFound('Category');
    checkVersion('category', before.version, patch.version);
    const sets: string[] = [];
    const values: unknown[] = [];
    const set = (column: string, value: unknown) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    if (patch.name) {
      set('name_kk', patch.name.kk);
      set('name_ru', patch.name.ru);
      set('name_en', patch.name.en);
    }
    if (patch.norm) {
      const [hours, days] = normColumns(patch.norm);
      set('norm_hours', hours);
      set('norm_working_days', days);
    }
    if (patch.priority !== undefined) set('priority', patch.priority);
    if (patch.emergency !== undefined) set('emergency', patch.emergency);
    if (patch.service !== undefined) set('default_service_id', await serviceId(db, patch.service));
    if (patch.radiusM !== undefined) set('duplicate_radius_m', patch.radiusM);
    if (patch.windowHours !== undefined) set('duplicate_window_h', patch.windowHours);
    if (patch.icon !== undefined) set('icon', patch.icon);
    if (patch.color !== undefined) set('color', patch.color);
    if (patch.type !== undefined) set('request_type', patch.type);
    if (patch.answer !== undefined) {
      set('answer_kk', patch.answer?.kk ?? null);
      set('answer_ru', patch.answer?.ru ?? null);
      set('answer_en', patch.answer?.en ?? null);
    }
    if (patch.synonyms !== undefined) set('synonyms', patch.synonyms);
    values.push(before.id);
    await db.query(`UPDATE categories SET ${[...sets, 'version = version + 1'].join(', ')} WHERE id = $${values.length}`, values);

    let action: 'update' | 'move' | 'retire' | 'restore' = 'update';
    if (patch.parent !== undefined && patch.parent !== before.parent) {
      await move(tx, before, patch.parent);
      action = 'move';
    }
    if (patch.active === false && before.active) {
      await retire(tx, before);
      action = 'retire';
    } else if (patch.active === true && !before.active) {
      const parentNow = (await categoryByCode(db, code))!.parent;
      const parent = parentNow ? await categoryByCode(db, parentNow) : null;
      if (parent && !parent.active)
        throw conflict(`${parent.code} is retired: restore it first.`, [{ path: 'active', message: 'parent retired' }]);
      await db.query('UPDATE categories SET active = true, retired_at = NULL WHERE id = $1', [before.id]);
      action = 'restore';
    }
    await checkRequestType(db, code);
    const after = (await categoryByCode(db, code))!;
    await tx.log('category', code, action, snapshot(before), snapshot(after));
    return after;
  });
}

/** Moves a category and its subtree under `parentCode` (null: it becomes a sphere). */
async function move(tx: ChangeTx, node: CategoryRow, parentCode: string | null): Promise<void> {
  const { db } = tx;
  const parent = parentCode === null ? null : await categoryByCode(db, parentCode);
  if (parentCode !== null && !parent) throw badRequest(`Unknown parent: ${parentCode}.`, [{ path: 'parent', message: 'unknown code' }]);
  const { rows: sub } = await db.query<{ id: number; depth: number }>(
    'SELECT c.id, c.depth FROM categories c WHERE c.id IN (SELECT category_subtree($1))',
    [node.id],
  );
  if (parent && sub.some((s) => s.id === parent.id)) {
    throw badRequest('A category cannot move under itself or its own descendants.', [
      { path: 'parent', message: 'inside its own subtree' },
    ]);
  }
  if (parent && !parent.active) throw conflict(`${parent.code} is retired.`, [{ path: 'parent', message: 'retired' }]);
  const shift = (parent ? parent.depth + 1 : 0) - node.depth;
  if (Math.max(...sub.map((s) => s.depth)) + shift > MAX_DEPTH) {
    throw badRequest(`The tree is at most ${MAX_DEPTH + 1} levels deep; this subtree does not fit there.`, [
      { path: 'parent', message: 'too deep' },
    ]);
  }
  await db.query(
    `UPDATE categories SET parent_id = $2, sort = coalesce((SELECT max(sort) + 1 FROM categories WHERE parent_id IS NOT DISTINCT FROM $2::int), 0)
      WHERE id = $1`,
    [node.id, parent?.id ?? null],
  );
  // The subtree's depth and sphere follow (statistics group history by the sphere it is in now).
  const sphere = parent
    ? (await db.query<{ s: number }>('SELECT sphere_id AS s FROM categories WHERE id = $1', [parent.id])).rows[0].s
    : null;
  const before = (await db.query<{ s: number }>('SELECT sphere_id AS s FROM categories WHERE id = $1', [node.id])).rows[0].s;
  await db.query(
    `UPDATE categories SET depth = depth + $2, sphere_id = coalesce($3::int, $1)
      WHERE id IN (SELECT category_subtree($1))`,
    [node.id, shift, sphere],
  );
  // The rollups count by sphere: a move to another sphere recounts them in the same transaction
  // (migration 003; a rare administrative act, heavier with the history's size).
  if ((sphere ?? node.id) !== before) await db.query('SELECT incident_rollup_rebuild()');
}

/** Retires a category and every active category below it; each gets its own line in the log. */
async function retire(tx: ChangeTx, node: CategoryRow): Promise<void> {
  const { db } = tx;
  const { rows } = await db.query<{ code: string }>(
    `UPDATE categories SET active = false, retired_at = now(), version = version + CASE WHEN id = $1 THEN 0 ELSE 1 END
      WHERE id IN (SELECT category_subtree($1)) AND active
      RETURNING code`,
    [node.id],
  );
  for (const r of rows)
    if (r.code !== node.code) await tx.log('category', r.code, 'retire', { active: true }, { active: false, with: node.code });
}
