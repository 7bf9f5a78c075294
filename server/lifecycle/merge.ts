import type pg from 'pg';
import { z } from 'zod';
import { type AppealScope, covers } from '../auth/scope.ts';
import type { SessionUser } from '../domain/roles.ts';
import { withTransaction } from '../db/pool.ts';
import { systemNote } from './system-notes.ts';
import { moveWorkOrders } from '../workorders/orders.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../errors.ts';
import type { Db } from './duplicates.ts';
import { ACTIVE_STATUSES } from '../domain/statuses.ts';
import { findMove } from './machine.ts';
import { FEEDBACK_DAYS, issueFeedbackTokens } from './tokens.ts';
import { assertScope, lockStates, staleVersion, stateOf, type StateRow, writeMove } from './transitions.ts';
import type { GroupAnswer } from '../contract/incidents.ts';

const incidentId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Most appeals grouped in one action (a block's forty "no heating" calls fit many times). */
export const MAX_GROUP = 500;
/** Largest circle (metres) for grouping by area. */
export const MAX_GROUP_RADIUS_M = 2000;

/** POST /api/incidents/:id/merge: attach this appeal to `into` as its duplicate. */
export const MergeSchema = z.object({
  into: incidentId,
  version: z.number().int().min(1),
  note: z.string().trim().min(1).max(2000).optional(),
});

/**
 * POST /api/incidents/group: attach `children` to `parent`, or every open appeal of the
 * parent's category within `within_m` metres of it, in one transaction.
 */
export const GroupSchema = z
  .object({
    parent: incidentId,
    children: z.array(incidentId).min(1).max(MAX_GROUP).optional(),
    within_m: z.number().min(1).max(MAX_GROUP_RADIUS_M).optional(),
    note: z.string().trim().min(1).max(2000).optional(),
  })
  .refine((g) => (g.children === undefined) !== (g.within_m === undefined), {
    message: 'give either children (ids) or within_m (metres around the parent)',
    path: ['children'],
  });

const ALLOWED_ROLES = ['admin', 'dispatcher', 'supervisor'];

/** The answer of grouping and merging (server/contract/incidents.ts). */
export type GroupResult = GroupAnswer;

/**
 * Attaches one locked child to its locked parent: the child is rejected as a duplicate with
 * parent_id set (the state machine decides whether this user may reject it), duplicates
 * already attached to the child move to the parent (the tree stays one level deep), and the
 * parent counts the child's reporters, whose contacts it then reaches for feedback.
 */
async function attach(db: Db, child: StateRow, parent: StateRow, user: SessionUser, note: string | undefined): Promise<void> {
  if (child.id === parent.id) throw badRequest('An appeal cannot be a duplicate of itself.', [{ path: 'into', message: 'same appeal' }]);
  assertScope(user, child);
  const move = findMove(user.role, stateOf(child), 'rejected');
  if (!move) {
    throw new AppError(409, 'illegal_transition', `Appeal ${child.number} is ${child.status}: you cannot attach it as a duplicate.`, [
      { path: 'children', id: child.id, message: `${child.number} is ${child.status}` },
    ]);
  }
  await writeMove(db, child, move, {
    actorId: user.id,
    note: note ?? (await systemNote(db, 'duplicateOf', { number: parent.number })),
    resolution: 'duplicate',
    // A merge is staff's bookkeeping: the citizen sees `merged_into` on the status page instead.
    visibility: 'internal',
    parentId: parent.id,
    data: { parent_id: parent.id, parent_number: parent.number },
  });
  await moveWorkOrders(db, child, parent, user.id, {
    moved: await systemNote(db, 'workOrderMoved', { number: child.number }),
    released: await systemNote(db, 'workOrderMerged', { parent: parent.number }),
  });
  await db.query(
    `WITH moved AS (
       UPDATE incidents SET parent_id = $2, version = version + 1, updated_at = now() WHERE parent_id = $1 RETURNING id, status
     )
     INSERT INTO incident_events (incident_id, actor_id, action, note, data)
     SELECT id, $3, 'merged', $4, jsonb_build_object('parent_id', $2::bigint, 'via', $1::bigint) FROM moved`,
    [child.id, parent.id, user.id, await systemNote(db, 'duplicateOf', { number: parent.number })],
  );
  const grown = await db.query<{ version: number; reporter_count: number }>(
    `UPDATE incidents SET reporter_count = reporter_count + $2, version = version + 1, updated_at = now() WHERE id = $1
     RETURNING version, reporter_count`,
    [parent.id, child.reporter_count],
  );
  parent.version = grown.rows[0].version;
  parent.reporter_count = grown.rows[0].reporter_count;
  await db.query(`INSERT INTO incident_events (incident_id, actor_id, action, note, data) VALUES ($1, $2, 'merged', $3, $4)`, [
    parent.id,
    user.id,
    await systemNote(db, 'attached', { number: child.number }),
    { child_id: child.id, child_number: child.number, reporters: child.reporter_count },
  ]);
}

/**
 * 403 unless the request's scope reaches the appeal: both ends of a merge or a group must lie in
 * it (a supervisor may not grow, nor read the reporters through, an appeal of another district).
 * Checked before anything is written; the transaction leaves every row as it was.
 */
function assertReaches(scope: AppealScope, row: StateRow, path: string): void {
  if (covers(scope, { districtId: row.district_id, serviceId: row.service_id })) return;
  throw new AppError(403, 'forbidden', `Appeal ${row.number} is outside your scope (your districts or your service).`, [
    { path, id: row.id, message: 'outside your scope' },
  ]);
}

function checkParent(parent: StateRow): void {
  if (parent.parent_id !== null) {
    throw conflict(`Appeal ${parent.number} is itself a duplicate: attach to the appeal it belongs to (id ${parent.parent_id}).`, [
      { path: 'into', message: 'a duplicate cannot collect duplicates', parent_id: parent.parent_id },
    ]);
  }
  if (!parent.is_open) {
    throw conflict(`Appeal ${parent.number} is ${parent.status}: duplicates go to an open appeal.`, [
      { path: 'into', message: `${parent.status}` },
    ]);
  }
}

/** Resolved parents reach new reporters with feedback links too. */
async function linkNewReporters(db: Db, parent: StateRow, key: Buffer): Promise<void> {
  if (parent.status === 'resolved') await issueFeedbackTokens(db, parent.id, key, new Date(Date.now() + FEEDBACK_DAYS * 86_400_000));
}

export async function merge(
  pool: pg.Pool,
  childId: number,
  req: z.infer<typeof MergeSchema>,
  user: SessionUser,
  scope: AppealScope,
  key: Buffer,
): Promise<GroupResult> {
  if (!ALLOWED_ROLES.includes(user.role)) throw forbidden('Only dispatchers, supervisors and admins attach duplicates.');
  return withTransaction(pool, async (db) => {
    const rows = await lockStates(db, [childId, req.into]);
    const child = rows.get(childId);
    const parent = rows.get(req.into);
    if (!child) throw notFound('Incident');
    if (!parent) throw notFound('Appeal to attach to');
    assertReaches(scope, child, 'id');
    assertReaches(scope, parent, 'into');
    if (child.version !== req.version) throw staleVersion(child.number, req.version, child.version);
    checkParent(parent);
    await attach(db, child, parent, user, req.note);
    await linkNewReporters(db, parent, key);
    return { parent: summary(parent), merged: [{ id: child.id, number: child.number }] };
  });
}

const summary = (p: StateRow) => ({ id: p.id, number: p.number, reporter_count: p.reporter_count, version: p.version });

/**
 * Groups many appeals under one in a single transaction: listed children must all be
 * attachable (otherwise nothing changes and the error names the first that is not); by area,
 * the open appeals of the parent's category within the circle that this user may attach are
 * taken, and the others left alone.
 */
export async function group(
  pool: pg.Pool,
  req: z.infer<typeof GroupSchema>,
  user: SessionUser,
  scope: AppealScope,
  key: Buffer,
): Promise<GroupResult> {
  if (!ALLOWED_ROLES.includes(user.role)) throw forbidden('Only dispatchers, supervisors and admins group appeals.');
  return withTransaction(pool, async (db) => {
    let ids = req.children ? [...new Set(req.children)] : await nearby(db, req.parent, req.within_m!);
    if (ids.includes(req.parent))
      throw badRequest('The parent cannot be one of its children.', [{ path: 'children', message: 'contains the parent' }]);
    const rows = await lockStates(db, [req.parent, ...ids]);
    const parent = rows.get(req.parent);
    if (!parent) throw notFound('Parent appeal');
    assertReaches(scope, parent, 'parent');
    checkParent(parent);
    if (req.children) {
      const missing = ids.filter((id) => !rows.has(id));
      if (missing.length) throw notFound(`Appeals ${missing.join(', ')}`);
      for (const id of ids) assertReaches(scope, rows.get(id)!, 'children');
    } else {
      ids = ids.filter((id) => {
        const r = rows.get(id);
        return (
          r &&
          r.is_open &&
          !r.parent_id &&
          findMove(user.role, stateOf(r), 'rejected') &&
          canTouch(user, r) &&
          covers(scope, { districtId: r.district_id, serviceId: r.service_id })
        );
      });
    }
    const merged: GroupResult['merged'] = [];
    for (const id of ids) {
      const child = rows.get(id)!;
      await attach(db, child, parent, user, req.note);
      merged.push({ id: child.id, number: child.number });
    }
    await linkNewReporters(db, parent, key);
    return { parent: summary(parent), merged };
  });
}

function canTouch(user: SessionUser, r: StateRow): boolean {
  try {
    assertScope(user, r);
    return true;
  } catch {
    return false;
  }
}

/** Open appeals of the parent's category within `radius` metres of it (not already duplicates). */
async function nearby(db: Db, parentId: number, radius: number): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT i.id
       FROM incidents p JOIN incidents i ON i.category_id = p.category_id
      WHERE p.id = $1 AND i.id <> p.id AND i.is_open AND i.parent_id IS NULL
        AND i.status = ANY($3::text[])
        AND i.geom && ST_Expand(p.geom, $2 * 1.01 / (111320 * cos(radians(ST_Y(p.geom)))), $2 * 1.01 / 110540)
        AND ST_DWithin(i.geom::geography, p.geom::geography, $2)
      ORDER BY i.id
      LIMIT ${MAX_GROUP}`,
    [parentId, radius, ACTIVE_STATUSES],
  );
  return rows.map((r) => r.id);
}
