import type pg from 'pg';
import { z } from 'zod';
import type { SessionUser } from '../domain/roles.ts';
import { isActive } from '../domain/statuses.ts';
import { withTransaction } from '../db/pool.ts';
import { namesSql } from '../db/sql.ts';
import { AppError, badRequest, forbidden, notFound } from '../errors.ts';
import { deadline, getCityRules, normOf } from '../lifecycle/calendar.ts';
import type { Db } from '../lifecycle/duplicates.ts';
import {
  findWorkOrderMove,
  holdingService,
  leadStatus,
  mayActOnWorkOrder,
  PENDING_WORK_ORDER,
  WORK_ORDER_STATUSES,
  type WorkOrderMove,
  workOrderMoves,
  type WorkOrderStatus,
} from './machine.ts';

const code = z.string().regex(/^[a-z0-9_.-]{1,64}$/, 'not a valid code');

/** The body of POST /api/incidents/:id/work-orders. */
export const CreateWorkOrderSchema = z.object({
  /** The co-executor's service code (not the lead's: the lead is the appeal's own service). */
  service: code,
  /** What this service is asked to do. */
  task: z.string().trim().min(1).max(2000),
  /** The deadline (ISO 8601, in the future); by default the category's norm counted from now. */
  due_at: z.iso.datetime({ offset: true }).optional(),
});

/** The body of POST /api/incidents/:id/work-orders/:wo/transitions. */
export const WorkOrderTransitionSchema = z.object({
  to: z.enum(WORK_ORDER_STATUSES),
  version: z.number().int().min(1),
  note: z.string().trim().min(1).max(2000).optional(),
});

export const WorkOrderParams = z.object({
  id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  wo: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
});

type Names = { kk: string; ru: string; en: string };

interface Appeal {
  id: number;
  number: string;
  status: string;
  category_id: number;
  district_id: number | null;
  service_id: number | null;
  due_at: Date;
}

async function loadAppeal(db: Db, id: number, lock = false): Promise<Appeal> {
  const { rows } = await db.query<Appeal>(
    `SELECT id, number, status, category_id, district_id, service_id, due_at FROM incidents WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  if (!rows[0]) throw notFound('Incident');
  return rows[0];
}

interface OrderRow {
  id: number;
  incident_id: number;
  service_id: number;
  service: string;
  service_name: Names;
  status: WorkOrderStatus;
  due_at: Date;
  executor: string | null;
  task: string;
  note: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  version: number;
  overdue: boolean;
  events: { at: string; actor: string | null; action: string; from_status: string | null; to_status: string; note: string | null }[];
}

/** The co-executors' work orders of an appeal, with their history, oldest first. */
async function ordersOf(db: Db, incidentId: number): Promise<OrderRow[]> {
  const { rows } = await db.query<OrderRow>(
    `SELECT w.id, w.incident_id, w.service_id, s.code AS service, ${namesSql('s')} AS service_name, w.status, w.due_at,
            u.login AS executor, w.task, w.note, w.created_at, w.started_at, w.finished_at, w.version,
            (w.status IN ('open', 'in_progress') AND w.due_at < now()) AS overdue,
            coalesce((SELECT json_agg(json_build_object('at', e.at, 'actor', a.login, 'action', e.action, 'from_status', e.from_status,
                                                        'to_status', e.to_status, 'note', e.note) ORDER BY e.id)
                        FROM work_order_events e LEFT JOIN users a ON a.id = e.actor_id WHERE e.work_order_id = w.id), '[]') AS events
       FROM work_orders w JOIN services s ON s.id = w.service_id LEFT JOIN users u ON u.id = w.executor_id
      WHERE w.incident_id = $1 ORDER BY w.id`,
    [incidentId],
  );
  return rows;
}

/** Whether the user may read an appeal's work orders: the appeal's scope, or a work order of their service. */
function mayRead(user: SessionUser, a: Appeal, orders: OrderRow[]): boolean {
  switch (user.role) {
    case 'admin':
    case 'dispatcher':
    case 'official':
      return true;
    case 'supervisor':
      return a.district_id !== null && user.districtIds.includes(a.district_id);
    case 'executor':
      return user.serviceId !== null && (a.service_id === user.serviceId || orders.some((o) => o.service_id === user.serviceId));
    default:
      return false;
  }
}

/** Whether the user adds work orders to this appeal: dispatchers and admins, supervisors in their districts. */
function mayAdd(user: SessionUser, a: Appeal): boolean {
  if (user.role === 'admin' || user.role === 'dispatcher') return true;
  return user.role === 'supervisor' && a.district_id !== null && user.districtIds.includes(a.district_id);
}

/**
 * GET /api/incidents/:id/work-orders: the lead (the appeal's own service, status and deadline)
 * and the co-executors' work orders, each with the moves the user may make on it now.
 */
export async function listWorkOrders(pool: pg.Pool, id: number, user: SessionUser) {
  const a = await loadAppeal(pool, id);
  const orders = await ordersOf(pool, id);
  if (!mayRead(user, a, orders)) throw forbidden('This appeal is outside your scope.');
  const lead = a.service_id
    ? (
        await pool.query<{ code: string; name: Names }>(`SELECT s.code, ${namesSql('s')} AS name FROM services s WHERE s.id = $1`, [
          a.service_id,
        ])
      ).rows[0]
    : undefined;
  const active = isActive(a.status);
  return {
    incident: { id: a.id, number: a.number, status: a.status },
    lead: {
      service: lead?.code ?? null,
      service_name: lead?.name ?? null,
      status: leadStatus(a.status),
      due_at: a.due_at,
      overdue: active && a.due_at < new Date(),
    },
    work_orders: orders.map(({ service_id: serviceId, incident_id: _i, ...o }) => ({
      ...o,
      allowed: active && mayActOnWorkOrder(user, { districtId: a.district_id, serviceId }) ? workOrderMoves(user.role, o.status) : [],
    })),
    /** Whether this user may add a co-executor now. */
    can_add: active && mayAdd(user, a),
    holding: holdingService(lead?.code ?? null, orders, new Date()).service,
  };
}

const notActive = (a: Appeal) =>
  new AppError(409, 'incident_not_active', `Appeal ${a.number} is ${a.status}: its work orders no longer change.`, [
    { path: 'id', message: `the appeal is ${a.status}` },
  ]);

/** POST /api/incidents/:id/work-orders: a co-executor joins the appeal, with its task and deadline. */
export async function createWorkOrder(pool: pg.Pool, id: number, body: z.infer<typeof CreateWorkOrderSchema>, user: SessionUser) {
  const rules = await getCityRules(pool);
  return withTransaction(pool, async (db) => {
    const a = await loadAppeal(db, id, true);
    if (!mayAdd(user, a))
      throw forbidden(user.role === 'supervisor' ? 'This appeal is outside your districts.' : 'Your role does not add work orders.');
    if (!isActive(a.status)) throw notActive(a);
    const svc = (await db.query<{ id: number }>('SELECT id FROM services WHERE code = $1 AND active', [body.service])).rows[0];
    if (!svc) throw badRequest(`Unknown service: ${body.service}.`, [{ path: 'service', message: `unknown code "${body.service}"` }]);
    if (svc.id === a.service_id) {
      throw new AppError(409, 'already_lead', `${body.service} is the lead of appeal ${a.number}: its work is the appeal itself.`, [
        { path: 'service', message: 'the lead service' },
      ]);
    }
    const { rows: nowRow } = await db.query<{ now: Date }>('SELECT now() AS now');
    const now = nowRow[0].now;
    let due: Date;
    if (body.due_at !== undefined) {
      due = new Date(body.due_at);
      if (due <= now) throw badRequest('A work order is due in the future.', [{ path: 'due_at', message: 'in the past' }]);
    } else {
      const cat = await db.query<{ norm_hours: number | null; norm_working_days: number | null }>(
        'SELECT norm_hours, norm_working_days FROM categories WHERE id = $1',
        [a.category_id],
      );
      due = deadline(now, normOf(cat.rows[0]), rules);
    }
    const inserted = await db.query<{ id: number }>(
      `INSERT INTO work_orders (incident_id, service_id, due_at, task, created_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (incident_id, service_id) DO NOTHING RETURNING id`,
      [a.id, svc.id, due, body.task, user.id],
    );
    if (!inserted.rows[0]) {
      throw new AppError(409, 'work_order_exists', `${body.service} already has a work order on appeal ${a.number}.`, [
        { path: 'service', message: 'already a co-executor' },
      ]);
    }
    const woId = inserted.rows[0].id;
    await db.query(
      `INSERT INTO work_order_events (work_order_id, actor_id, action, from_status, to_status, note) VALUES ($1, $2, 'created', NULL, 'open', $3)`,
      [woId, user.id, body.task],
    );
    return woId;
  });
}

/** POST /api/incidents/:id/work-orders/:wo/transitions: 404, 403 (scope), 409 (appeal not active, stale, illegal), 400 (note). */
export async function transitionWorkOrder(
  pool: pg.Pool,
  id: number,
  wo: number,
  req: z.infer<typeof WorkOrderTransitionSchema>,
  user: SessionUser,
): Promise<void> {
  await withTransaction(pool, async (db) => {
    const a = await loadAppeal(db, id, true);
    const { rows } = await db.query<{ id: number; service_id: number; status: WorkOrderStatus; version: number; service: string }>(
      `SELECT w.id, w.service_id, w.status, w.version, s.code AS service
         FROM work_orders w JOIN services s ON s.id = w.service_id WHERE w.id = $1 AND w.incident_id = $2 FOR UPDATE OF w`,
      [wo, id],
    );
    const order = rows[0];
    if (!order) throw notFound('Work order');
    if (!mayActOnWorkOrder(user, { districtId: a.district_id, serviceId: order.service_id })) {
      throw forbidden(
        user.role === 'executor'
          ? `This work order is ${order.service}'s, not your service's.`
          : user.role === 'supervisor'
            ? 'This appeal is outside your districts.'
            : 'Your role does not change work orders.',
      );
    }
    if (!isActive(a.status)) throw notActive(a);
    if (order.version !== req.version) {
      throw new AppError(
        409,
        'stale_version',
        `The work order has changed since you loaded it (version ${req.version}, now ${order.version}); reload it.`,
        [{ path: 'version', message: `current version is ${order.version}`, current: order.version }],
      );
    }
    const move = findWorkOrderMove(user.role, order.status, req.to);
    if (!move) throw illegal(order.status, req.to, workOrderMoves(user.role, order.status));
    if (move.requires.includes('note') && req.note === undefined) {
      throw badRequest(`To ${move.action} a work order, give a note.`, [{ path: 'note', message: `required to ${move.action}` }]);
    }
    await writeWorkOrderMove(db, order.id, order.status, move, user.id, req.note ?? null);
  });
}

function illegal(from: WorkOrderStatus, to: WorkOrderStatus, moves: WorkOrderMove[]): AppError {
  const list = moves.length ? moves.map((m) => m.to).join(', ') : 'none';
  return new AppError(
    409,
    'illegal_transition',
    `A work order cannot go from ${from} to ${to} for you; allowed: ${list}.`,
    moves.map((m) => ({ path: 'to', to: m.to, action: m.action, requires: m.requires, message: `${m.action}: ${from} → ${m.to}` })),
  );
}

async function writeWorkOrderMove(db: Db, id: number, from: WorkOrderStatus, move: WorkOrderMove, actorId: number, note: string | null) {
  // What each move writes besides status, note and version; who takes it or finishes it is its executor ($4).
  const set = {
    take: 'started_at = coalesce(started_at, now()), executor_id = coalesce(executor_id, $4::int)',
    done: 'finished_at = now(), executor_id = coalesce(executor_id, $4::int)',
    release: 'finished_at = now()',
    reopen: 'finished_at = NULL',
  }[move.action];
  const byExecutor = move.action === 'take' || move.action === 'done';
  await db.query(
    `UPDATE work_orders SET status = $2, ${set}, note = coalesce($3, note), version = version + 1, updated_at = now() WHERE id = $1`,
    byExecutor ? [id, move.to, note, actorId] : [id, move.to, note],
  );
  await db.query(
    `INSERT INTO work_order_events (work_order_id, actor_id, action, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, actorId, move.action, from, move.to, note],
  );
}

/**
 * The resolution rule: an appeal resolves only when every co-executor is done or released.
 * Throws 409 `work_orders_pending` naming the services still working.
 */
export async function assertWorkOrdersFinished(db: Db, incidentId: number, number: string): Promise<void> {
  const { rows } = await db.query<{ id: number; service: string; status: string }>(
    `SELECT w.id, s.code AS service, w.status FROM work_orders w JOIN services s ON s.id = w.service_id
      WHERE w.incident_id = $1 AND w.status = ANY($2::text[]) ORDER BY w.id`,
    [incidentId, PENDING_WORK_ORDER],
  );
  if (!rows.length) return;
  throw new AppError(
    409,
    'work_orders_pending',
    `Appeal ${number} cannot be resolved while ${rows.map((r) => r.service).join(', ')} still work on it: their work orders are to be done or released first.`,
    rows.map((r) => ({
      path: 'work_orders',
      message: `${r.service} is ${r.status}`,
      work_order: r.id,
      service: r.service,
      status: r.status,
    })),
  );
}

/**
 * A service that becomes the lead (assigned or reassigned to it) no longer has a separate work
 * order on the appeal: a pending one is released into the lead, with its own event.
 */
export async function absorbIntoLead(db: Db, incidentId: number, serviceId: number | null, actorId: number | null): Promise<void> {
  if (serviceId === null) return;
  const { rows } = await db.query<{ id: number; status: string }>(
    `UPDATE work_orders w SET status = 'released', finished_at = now(), version = w.version + 1, updated_at = now()
       FROM work_orders old
      WHERE w.id = old.id AND w.incident_id = $1 AND w.service_id = $2 AND w.status = ANY($3::text[])
      RETURNING w.id, old.status`,
    [incidentId, serviceId, PENDING_WORK_ORDER],
  );
  for (const r of rows) {
    await db.query(
      `INSERT INTO work_order_events (work_order_id, actor_id, action, from_status, to_status, note) VALUES ($1, $2, 'lead', $3, 'released', NULL)`,
      [r.id, actorId, r.status],
    );
  }
}

/**
 * A merged appeal's pending work orders go with it to the appeal it joins (the tree stays one
 * level deep, and nobody works on a rejected duplicate): each moves with its task, deadline,
 * state and executor and an event saying from where, unless the joined appeal already has that
 * service — as its lead or with a work order of its own —, then it is released there with that
 * note. Done and released work orders stay in the duplicate's history.
 */
export async function moveWorkOrders(
  db: Db,
  from: { id: number; number: string },
  to: { id: number; number: string; service_id: number | null },
  actorId: number,
  notes: { moved: string; released: string },
): Promise<void> {
  const { rows } = await db.query<{ id: number; status: WorkOrderStatus; clash: boolean }>(
    `SELECT w.id, w.status,
            (w.service_id = $2 OR EXISTS (SELECT 1 FROM work_orders t WHERE t.incident_id = $3 AND t.service_id = w.service_id)) AS clash
       FROM work_orders w WHERE w.incident_id = $1 AND w.status = ANY($4::text[]) ORDER BY w.id FOR UPDATE`,
    [from.id, to.service_id ?? 0, to.id, PENDING_WORK_ORDER],
  );
  for (const r of rows) {
    const note = r.clash ? notes.released : notes.moved;
    if (r.clash) {
      await db.query(
        `UPDATE work_orders SET status = 'released', finished_at = now(), note = $2, version = version + 1, updated_at = now() WHERE id = $1`,
        [r.id, note],
      );
    } else {
      await db.query(`UPDATE work_orders SET incident_id = $3, note = $2, version = version + 1, updated_at = now() WHERE id = $1`, [
        r.id,
        note,
        to.id,
      ]);
    }
    const [action, toStatus] = r.clash ? ['release', 'released'] : ['moved', r.status];
    await db.query(
      `INSERT INTO work_order_events (work_order_id, actor_id, action, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6)`,
      [r.id, actorId, action, r.status, toStatus, note],
    );
  }
}
