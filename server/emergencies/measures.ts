import type pg from 'pg';
import { z } from 'zod';
import { withTransaction } from '../db/pool.ts';
import type { SessionUser } from '../domain/roles.ts';
import { AppError, badRequest, conflict, notFound } from '../errors.ts';
import type { Db } from '../lifecycle/duplicates.ts';
import { assertScope, loadState, type StateRow } from '../lifecycle/transitions.ts';
import { HandoverCode } from './pack.ts';

/** How far before registration a measure may be dated (a crew may act before the call is typed in). */
const EARLIEST_BEFORE_CREATED_MS = 24 * 3_600_000;
/** Clock skew tolerated between a desk and the server when a time is given. */
const FUTURE_SLACK_MS = 60_000;

const When = z.iso.datetime({ offset: true });

/** POST /api/incidents/:id/measures: tick (`done: true`) or untick a measure; `at` defaults to now. */
export const TickSchema = z
  .object({
    measure: z.string().regex(/^[a-z0-9_]{1,40}$/, 'not a measure code'),
    done: z.boolean(),
    /** When it was done (ISO 8601 with offset); not in the future. */
    at: When.optional(),
  })
  .strict();

/** POST /api/incidents/:id/handovers: the appeal handed over to an emergency service. */
export const HandoverSchema = z
  .object({
    service: HandoverCode,
    /** The receiving operator's name (or number), as they gave it. */
    operator: z.string().trim().min(1).max(120),
    at: When.optional(),
    note: z.string().trim().min(1).max(1000).optional(),
  })
  .strict();

export const AcknowledgeSchema = z.object({}).strict();

type Names = { kk: string; ru: string; en: string };
export interface MeasureView {
  code: string;
  name: Names;
  handover: string | null;
  done: boolean;
  done_at: string | null;
  done_by: string | null;
}
export interface HandoverView {
  id: number;
  service: string;
  service_name: Names;
  operator: string;
  handed_at: string;
  by: string | null;
  note: string | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** The appeal's checklist: its category's, or the nearest ancestor's that has one; with ticks. */
async function checklist(db: Db, incidentId: number, categoryId: number): Promise<MeasureView[]> {
  const { rows } = await db.query(
    `WITH RECURSIVE up (id, parent_id, depth) AS (
       SELECT id, parent_id, 0 FROM categories WHERE id = $2
       UNION ALL SELECT c.id, c.parent_id, up.depth + 1 FROM categories c JOIN up ON c.id = up.parent_id),
     src AS (SELECT up.id FROM up WHERE EXISTS (SELECT 1 FROM first_measures f WHERE f.category_id = up.id) ORDER BY up.depth LIMIT 1)
     SELECT f.code, f.name_kk, f.name_ru, f.name_en, f.handover, m.done_at, u.login AS done_by
       FROM first_measures f JOIN src ON f.category_id = src.id
       LEFT JOIN incident_measures m ON m.incident_id = $1 AND m.measure = f.code
       LEFT JOIN users u ON u.id = m.done_by
      ORDER BY f.sort`,
    [incidentId, categoryId],
  );
  return rows.map((r) => ({
    code: r.code,
    name: { kk: r.name_kk, ru: r.name_ru, en: r.name_en },
    handover: r.handover,
    done: r.done_at !== null,
    done_at: iso(r.done_at),
    done_by: r.done_by,
  }));
}

async function handovers(db: Db, incidentId: number): Promise<HandoverView[]> {
  const { rows } = await db.query(
    `SELECT h.id, h.service, s.name_kk, s.name_ru, s.name_en, h.operator, h.handed_at, u.login AS by, h.note
       FROM incident_handovers h JOIN emergency_services s ON s.code = h.service LEFT JOIN users u ON u.id = h.by_user
      WHERE h.incident_id = $1 ORDER BY h.handed_at, h.id`,
    [incidentId],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    service: r.service,
    service_name: { kk: r.name_kk, ru: r.name_ru, en: r.name_en },
    operator: r.operator,
    handed_at: iso(r.handed_at)!,
    by: r.by,
    note: r.note,
  }));
}

/** Everything the panel shows: emergency or not, the checklist with ticks, hand-overs, the services, the acknowledgement. */
export async function measuresView(db: Db, row: StateRow) {
  const [{ rows: meta }, measures, given, { rows: services }] = await Promise.all([
    db.query(
      `SELECT c.emergency, a.acked_at, u.login AS acked_by
         FROM categories c LEFT JOIN emergency_acks a ON a.incident_id = $1 LEFT JOIN users u ON u.id = a.acked_by
        WHERE c.id = $2`,
      [row.id, row.category_id],
    ),
    checklist(db, row.id, row.category_id),
    handovers(db, row.id),
    db.query('SELECT code, name_kk, name_ru, name_en FROM emergency_services ORDER BY sort, code'),
  ]);
  const m = meta[0];
  return {
    id: row.id,
    number: row.number,
    emergency: Boolean(m?.emergency),
    acknowledged: m?.acked_at ? { at: iso(m.acked_at), by: m.acked_by } : null,
    measures,
    handovers: given,
    services: services.map((s) => ({ code: s.code, name: { kk: s.name_kk, ru: s.name_ru, en: s.name_en } })),
  };
}

/** The appeal for a reader or a writer in scope (404, then 403), locked for a write. */
async function appealInScope(db: Db, id: number, user: SessionUser, lock: boolean): Promise<StateRow & { created_at: Date }> {
  const row = await loadState(db, id, lock);
  if (!row) throw notFound('Incident');
  assertScope(user, row);
  const { rows } = await db.query<{ created_at: Date }>('SELECT created_at FROM incidents WHERE id = $1', [id]);
  return { ...row, created_at: rows[0].created_at };
}

/** A time a measure or a hand-over may carry: given or now; not in the future, not long before the appeal. */
function whenDone(at: string | undefined, createdAt: Date, field = 'at'): Date {
  if (at === undefined) return new Date();
  const t = new Date(at);
  if (t.getTime() > Date.now() + FUTURE_SLACK_MS)
    throw badRequest('A measure cannot be dated in the future.', [{ path: field, message: 'in the future' }]);
  if (t.getTime() < createdAt.getTime() - EARLIEST_BEFORE_CREATED_MS) {
    throw badRequest('This time is long before the appeal was registered.', [
      { path: field, message: 'more than 24 h before registration' },
    ]);
  }
  return t;
}

async function event(db: Db, incidentId: number, actorId: number, action: string, data: Record<string, unknown>) {
  await db.query(`INSERT INTO incident_events (incident_id, actor_id, action, data, visibility) VALUES ($1, $2, $3, $4, 'internal')`, [
    incidentId,
    actorId,
    action,
    data,
  ]);
}

export async function readMeasures(pool: pg.Pool, id: number, user: SessionUser) {
  return measuresView(pool, await appealInScope(pool, id, user, false));
}

/**
 * Ticks or unticks one measure. Idempotent: ticking a ticked measure (or unticking an unticked
 * one) changes nothing and writes no event, so a retried request is harmless; `changed` says which.
 * Hand-over measures are ticked by recording the hand-over (with the operator's name).
 */
export async function tickMeasure(pool: pg.Pool, id: number, req: z.infer<typeof TickSchema>, user: SessionUser) {
  return withTransaction(pool, async (db) => {
    const row = await appealInScope(db, id, user, true);
    const list = await checklist(db, id, row.category_id);
    if (!list.length)
      throw conflict(`Appeal ${row.number} has no checklist of first measures.`, [{ path: 'measure', message: 'no checklist' }]);
    const m = list.find((x) => x.code === req.measure);
    if (!m) {
      throw badRequest(`Appeal ${row.number}'s checklist has no measure "${req.measure}".`, [
        { path: 'measure', message: `one of ${list.map((x) => x.code).join(', ')}` },
      ]);
    }
    if (m.handover && req.done) {
      throw new AppError(409, 'handover_required', `Record the hand-over to ${m.handover} with the operator's name (POST /handovers).`, [
        { path: 'measure', message: 'a hand-over measure' },
      ]);
    }
    let changed = false;
    if (req.done && !m.done) {
      const at = whenDone(req.at, row.created_at);
      await db.query('INSERT INTO incident_measures (incident_id, measure, done_at, done_by) VALUES ($1, $2, $3, $4)', [
        id,
        m.code,
        at,
        user.id,
      ]);
      await event(db, id, user.id, 'measure_done', { measure: m.code, at: at.toISOString() });
      changed = true;
    } else if (!req.done && m.done) {
      if (m.handover) {
        throw conflict(`The hand-over to ${m.handover} is recorded and stays in the history.`, [
          { path: 'measure', message: 'a recorded hand-over' },
        ]);
      }
      await db.query('DELETE FROM incident_measures WHERE incident_id = $1 AND measure = $2', [id, m.code]);
      await event(db, id, user.id, 'measure_undone', { measure: m.code });
      changed = true;
    }
    return { changed, ...(await measuresView(db, row)) };
  });
}

/**
 * Records a hand-over to an emergency service and ticks the checklist's hand-over measure for it.
 * The same hand-over sent again (service, operator and time) is not recorded twice.
 */
export async function handOver(pool: pg.Pool, id: number, req: z.infer<typeof HandoverSchema>, user: SessionUser) {
  return withTransaction(pool, async (db) => {
    const row = await appealInScope(db, id, user, true);
    const { rows: svc } = await db.query('SELECT 1 FROM emergency_services WHERE code = $1', [req.service]);
    if (!svc.length) throw badRequest(`Unknown emergency service: ${req.service}.`, [{ path: 'service', message: 'not in the city pack' }]);
    const at = whenDone(req.at, row.created_at);
    const { rows: same } = await db.query(
      'SELECT id FROM incident_handovers WHERE incident_id = $1 AND service = $2 AND operator = $3 AND handed_at = $4',
      [id, req.service, req.operator, at],
    );
    if (same.length) return { created: false, ...(await measuresView(db, row)) };
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO incident_handovers (incident_id, service, operator, handed_at, by_user, note) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [id, req.service, req.operator, at, user.id, req.note ?? null],
    );
    const measure = (await checklist(db, id, row.category_id)).find((m) => m.handover === req.service && !m.done);
    if (measure) {
      await db.query('INSERT INTO incident_measures (incident_id, measure, done_at, done_by) VALUES ($1, $2, $3, $4)', [
        id,
        measure.code,
        at,
        user.id,
      ]);
    }
    // The operator's name stays in incident_handovers: event data reaches public readers of the history.
    await event(db, id, user.id, 'handed_over', {
      service: req.service,
      handover_id: Number(rows[0].id),
      at: at.toISOString(),
      ...(measure ? { measure: measure.code } : {}),
    });
    return { created: true, ...(await measuresView(db, row)) };
  });
}

/**
 * The control room has taken in a new emergency: the wall lets go of it. Touching the appeal's
 * updated_at puts an incident.updated on the live stream, which every wall listens to.
 */
export async function acknowledge(pool: pg.Pool, id: number, user: SessionUser) {
  return withTransaction(pool, async (db) => {
    const row = await appealInScope(db, id, user, true);
    const { rows } = await db.query<{ emergency: boolean }>('SELECT emergency FROM categories WHERE id = $1', [row.category_id]);
    if (!rows[0]?.emergency) throw conflict(`Appeal ${row.number} is not an emergency.`, [{ path: 'id', message: 'not an emergency' }]);
    const ins = await db.query('INSERT INTO emergency_acks (incident_id, acked_by) VALUES ($1, $2) ON CONFLICT (incident_id) DO NOTHING', [
      id,
      user.id,
    ]);
    if (ins.rowCount) {
      await event(db, id, user.id, 'emergency_acknowledged', {});
      await db.query('UPDATE incidents SET updated_at = now() WHERE id = $1', [id]);
    }
    return { changed: Boolean(ins.rowCount), ...(await measuresView(db, row)) };
  });
}

/** How long a new emergency may hold the wall unacknowledged before it is simply an open appeal. */
export const HOLD_HOURS = 24;

/**
 * New emergencies nobody has acknowledged yet, oldest first (the wall shows the first and the
 * count). Public surface: no reporter, no free text but the redacted address (by the caller).
 */
export async function pendingEmergencies(pool: pg.Pool, limit = 20) {
  const { rows } = await pool.query(
    `SELECT i.id, i.number, i.status, i.priority, i.created_at, i.address, c.code AS category, d.code AS district,
            count(*) OVER ()::int AS total
       FROM incidents i JOIN categories c ON c.id = i.category_id LEFT JOIN districts d ON d.id = i.district_id
      WHERE c.emergency AND i.is_open AND i.parent_id IS NULL AND i.created_at > now() - make_interval(hours => $2)
        AND NOT EXISTS (SELECT 1 FROM emergency_acks a WHERE a.incident_id = i.id)
      ORDER BY i.created_at, i.id LIMIT $1`,
    [limit, HOLD_HOURS],
  );
  return {
    count: rows[0]?.total ?? 0,
    items: rows.map(({ total: _, ...r }) => ({ ...r, id: Number(r.id), created_at: iso(r.created_at) })),
  };
}
