import type pg from 'pg';
import { z } from 'zod';
import { STATUSES, type Status } from '../domain/statuses.ts';
import type { SessionUser } from '../domain/roles.ts';
import { withTransaction } from '../db/pool.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../errors.ts';
import { Where } from '../incidents/filters.ts';
import type { Db } from './duplicates.ts';
import { systemNote } from './system-notes.ts';
import { alreadyApplied, recordKey } from '../field/keys.ts';
import {
  type Action,
  actsOnAppeals,
  allowedMoves,
  describeMove,
  findAction,
  findMove,
  type IncidentState,
  inScope,
  type IncidentType,
  type Move,
  REJECT_REASONS,
  RESOLVE_REASONS,
} from './machine.ts';
import { FEEDBACK_DAYS, issueFeedbackTokens, revokeFeedbackTokens } from './tokens.ts';
import { defaultVisibility, NOTE_VISIBILITIES, type NoteVisibility } from '../privacy/visibility.ts';
import { absorbIntoLead, assertWorkOrdersFinished } from '../workorders/orders.ts';

const serviceCode = z.string().regex(/^[a-z0-9_.-]{1,64}$/, 'not a valid code');
const version = z.number().int().min(1);

/** The body of POST /api/incidents/:id/transitions. */
export const TransitionSchema = z.object({
  to: z.enum(STATUSES),
  version,
  note: z.string().trim().min(1).max(2000).optional(),
  /** Who may read the note: `public` shows it to the citizen (redacted); by default public only for resolve, consult and reject. */
  note_visibility: z.enum(NOTE_VISIBILITIES).optional(),
  /** A service code: where to assign or reassign. */
  service: serviceCode.optional(),
  /** Why it is rejected (duplicate, out_of_competence, spam), or how it was resolved (fixed, not_confirmed, consulted). */
  reason: z.enum([...REJECT_REASONS, ...RESOLVE_REASONS]).optional(),
});
export type TransitionRequest = z.infer<typeof TransitionSchema>;

export const EscalateSchema = z.object({ version, note: z.string().trim().min(1).max(2000).optional() });

/** An appeal's row as the lifecycle reads it before a change. */
export interface StateRow {
  id: number;
  number: string;
  status: Status;
  type: IncidentType;
  resolution: string | null;
  category_id: number;
  district_id: number | null;
  service_id: number | null;
  parent_id: number | null;
  version: number;
  escalation_level: number;
  reassign_count: number;
  reporter_count: number;
  is_open: boolean;
}

const STATE_COLUMNS = `id, number, status, type, resolution, category_id, district_id, service_id, parent_id, version,
  escalation_level, reassign_count, reporter_count, is_open`;

export async function loadState(db: Db, id: number, lock = false): Promise<StateRow | null> {
  const { rows } = await db.query<StateRow>(`SELECT ${STATE_COLUMNS} FROM incidents WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] ?? null;
}

/** Several appeals' rows, locked in id order (two writers over the same appeals cannot deadlock). */
export async function lockStates(db: Db, ids: number[]): Promise<Map<number, StateRow>> {
  const { rows } = await db.query<StateRow>(`SELECT ${STATE_COLUMNS} FROM incidents WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`, [
    ids,
  ]);
  return new Map(rows.map((r) => [r.id, r]));
}

export const stateOf = (r: StateRow): IncidentState => ({ status: r.status, type: r.type, escalationLevel: r.escalation_level });

/** 403 unless the user may act on this appeal (role, districts, service). */
export function assertScope(user: SessionUser, row: StateRow): void {
  if (!actsOnAppeals(user.role)) throw forbidden('Your role does not change appeals.');
  if (!inScope(user, { districtId: row.district_id, serviceId: row.service_id })) {
    throw forbidden(
      user.role === 'executor'
        ? 'This appeal is not assigned to your service.'
        : user.role === 'supervisor'
          ? 'This appeal is outside your districts.'
          : 'Your role does not change appeals.',
    );
  }
}

/** 409 for a client that acted on an old copy of the appeal; `current` when it is known. */
export function staleVersion(number: string, sent: number, current?: number): AppError {
  const now = current === undefined ? '' : `, now ${current}`;
  return new AppError(409, 'stale_version', `Appeal ${number} has changed since you loaded it (version ${sent}${now}); reload it.`, [
    {
      path: 'version',
      message: current === undefined ? 'the appeal has changed' : `current version is ${current}`,
      current: current ?? null,
    },
  ]);
}

/** 409 naming the moves this user could make instead (only those reachable with `to`). */
export function illegal(row: StateRow, to: Status, moves: Move[]): AppError {
  const allowed = moves.filter((m) => m.to !== null);
  const list = allowed.length ? allowed.map((m) => m.to).join(', ') : 'none';
  return new AppError(
    409,
    'illegal_transition',
    `Appeal ${row.number} cannot go from ${row.status} to ${to} for you; allowed: ${list}.`,
    allowed.map((m) => ({ path: 'to', to: m.to, action: m.action, requires: m.requires, message: describeMove(row.status, m) })),
  );
}

interface WriteOptions {
  actorId: number | null;
  note?: string | null;
  /** Who may read the note; by default as defaultVisibility() says for the move. */
  visibility?: NoteVisibility;
  serviceId?: number | null;
  resolution?: string | null;
  /** The appeal this one is a duplicate of (a rejection as duplicate). */
  parentId?: number;
  /** Extra facts for the event's data (the link a dispute came through, a parent's id...). */
  data?: Record<string, unknown>;
  /** The key of feedback links (needed when the move resolves). */
  linkKey?: Buffer;
}

type SetBuilder = (p: (v: unknown) => string, o: WriteOptions) => string;

// What each move writes besides version and updated_at. Values are always parameters.
const SETS: Record<Action, SetBuilder> = {
  assign: (p, o) =>
    `status = 'assigned', service_id = coalesce(${p(o.serviceId ?? null)}::int, service_id), assigned_at = coalesce(assigned_at, now())`,
  reassign: (p, o) =>
    `status = 'assigned', service_id = ${p(o.serviceId)}::int, reassign_count = reassign_count + 1, assigned_at = coalesce(assigned_at, now())`,
  take: () => `status = 'in_progress', started_at = coalesce(started_at, now())`,
  resolve: (p, o) => `status = 'resolved', resolution = ${p(o.resolution ?? 'fixed')}::text, resolved_at = now()`,
  close: () => `status = 'closed', closed_at = now()`,
  consult: () => `status = 'closed', resolution = 'consulted', resolved_at = now(), closed_at = now()`,
  reject: (p, o) =>
    `status = 'rejected', resolution = ${p(o.resolution)}::text, resolved_at = NULL, closed_at = now(), parent_id = coalesce(${p(o.parentId ?? null)}::bigint, parent_id)`,
  reopen: () => `status = 'reopened', resolution = NULL, resolved_at = NULL, closed_at = NULL`,
  dispute: () => `status = 'reopened', resolution = NULL, resolved_at = NULL, closed_at = NULL`,
  expire: () => `status = 'closed', closed_at = now()`,
  escalate: () => `escalation_level = escalation_level + 1`,
};

const EVENT_ACTION: Partial<Record<Action, string>> = { reassign: 'assigned', escalate: 'escalated' };

/**
 * Writes one move: the guarded UPDATE (`WHERE id AND version`: a concurrent change makes it a
 * 409), its audit row, and the feedback links it opens or ends. Runs inside the caller's
 * transaction; returns the new version.
 */
export async function writeMove(db: Db, row: StateRow, move: Move, o: WriteOptions): Promise<number> {
  const w = new Where([row.id, row.version]);
  const set = SETS[move.action]((v) => w.param(v), o);
  const updated = await db.query<{ version: number; status: Status; escalation_level: number }>(
    `UPDATE incidents SET ${set}, version = version + 1, updated_at = now() WHERE id = $1 AND version = $2
     RETURNING version, status, escalation_level`,
    w.values,
  );
  if (!updated.rowCount) throw staleVersion(row.number, row.version);
  const after = updated.rows[0];
  await db.query(
    `INSERT INTO incident_events (incident_id, actor_id, action, from_status, to_status, note, data, visibility)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      row.id,
      o.actorId,
      EVENT_ACTION[move.action] ?? 'transition',
      row.status,
      after.status,
      o.note ?? null,
      {
        action: move.action,
        ...(move.action === 'escalate' ? { level: after.escalation_level } : {}),
        ...(o.serviceId !== undefined && o.serviceId !== row.service_id ? { from_service: row.service_id, to_service: o.serviceId } : {}),
        ...(o.resolution ? { resolution: o.resolution } : {}),
        ...o.data,
      },
      o.visibility ?? defaultVisibility(move.action),
    ],
  );
  if (move.action === 'resolve' && o.linkKey) {
    await issueFeedbackTokens(db, row.id, o.linkKey, new Date(Date.now() + FEEDBACK_DAYS * 86_400_000));
  }
  if (move.action === 'reopen' || move.action === 'dispute' || move.action === 'reject') await revokeFeedbackTokens(db, row.id);
  return after.version;
}

async function serviceId(db: Db, code: string): Promise<number> {
  const { rows } = await db.query<{ id: number }>('SELECT id FROM services WHERE code = $1 AND active', [code]);
  if (!rows[0]) throw badRequest(`Unknown service: ${code}.`, [{ path: 'service', message: `unknown code "${code}"` }]);
  return rows[0].id;
}

/** Checks what a move needs from the request and turns it into write options (400 when missing). */
async function optionsFor(db: Db, row: StateRow, move: Move, req: TransitionRequest): Promise<WriteOptions> {
  const missing = move.requires.filter((r) => req[r] === undefined);
  if (missing.length) {
    throw badRequest(
      `To ${move.action} appeal ${row.number}, give ${missing.join(' and ')}.`,
      missing.map((r) => ({ path: r, message: `required to ${move.action}` })),
    );
  }
  const o: WriteOptions = { actorId: null, note: req.note ?? null, visibility: req.note_visibility };
  if (req.service !== undefined) o.serviceId = await serviceId(db, req.service);
  if (move.action === 'reassign' && o.serviceId === row.service_id) {
    throw badRequest(`Appeal ${row.number} is already with ${req.service}.`, [{ path: 'service', message: 'choose another service' }]);
  }
  if (move.action === 'assign' && o.serviceId === undefined && row.service_id === null) {
    throw badRequest(`No service is routed for appeal ${row.number}: give one.`, [
      { path: 'service', message: 'required: nothing is routed' },
    ]);
  }
  if (move.action === 'reject') {
    if (!(REJECT_REASONS as readonly string[]).includes(req.reason!)) {
      throw badRequest(`A rejection's reason is one of ${REJECT_REASONS.join(', ')}.`, [
        { path: 'reason', message: 'not a reason to reject' },
      ]);
    }
    o.resolution = req.reason;
  }
  if (move.action === 'resolve') {
    const reason = req.reason ?? (row.type === 'information_request' ? 'consulted' : 'fixed');
    if (!(RESOLVE_REASONS as readonly string[]).includes(reason)) {
      throw badRequest(`A resolution is one of ${RESOLVE_REASONS.join(', ')}.`, [{ path: 'reason', message: 'not a way to resolve' }]);
    }
    o.resolution = reason;
  }
  return o;
}

/**
 * POST /api/incidents/:id/transitions. The order of checks: the appeal exists (404), the user
 * may act on it (403), the client saw the current version (409 stale_version), the move is
 * allowed for this role from this status (409 illegal_transition listing the allowed ones),
 * the request carries what the move needs (400). Then one transaction writes it all.
 */
export async function transition(
  pool: pg.Pool,
  id: number,
  req: TransitionRequest,
  user: SessionUser,
  key: Buffer,
  /** Idempotency-Key: a replay of a move already applied answers without moving again (returns true). */
  actionKey?: string,
): Promise<boolean> {
  return withTransaction(pool, async (db) => {
    const row = await loadState(db, id, true);
    if (!row) throw notFound('Incident');
    assertScope(user, row);
    if (actionKey !== undefined && (await alreadyApplied(db, user.id, actionKey, id, `to:${req.to}`))) return true;
    if (row.version !== req.version) throw staleVersion(row.number, req.version, row.version);
    const move = findMove(user.role, stateOf(row), req.to);
    if (!move) throw illegal(row, req.to, allowedMoves(user.role, stateOf(row)));
    const o = await optionsFor(db, row, move, req);
    // Work orders (issue 18): the appeal resolves when every co-executor is done or released; a
    // service that becomes the lead gives up its own work order.
    if (move.action === 'resolve') await assertWorkOrdersFinished(db, row.id, row.number);
    await writeMove(db, row, move, { ...o, actorId: user.id, linkKey: key });
    if (move.action === 'assign' || move.action === 'reassign') await absorbIntoLead(db, row.id, o.serviceId ?? row.service_id, user.id);
    if (actionKey !== undefined) await recordKey(db, user.id, actionKey, id, `to:${req.to}`);
    return false;
  });
}

/** POST /api/incidents/:id/escalate: the level rises by one (up to 3), the status stays. */
export async function escalate(pool: pg.Pool, id: number, req: z.infer<typeof EscalateSchema>, user: SessionUser): Promise<void> {
  await withTransaction(pool, async (db) => {
    const row = await loadState(db, id, true);
    if (!row) throw notFound('Incident');
    assertScope(user, row);
    if (row.version !== req.version) throw staleVersion(row.number, req.version, row.version);
    const move = findAction(user.role, stateOf(row), 'escalate');
    if (!move) {
      const why = row.escalation_level >= 3 ? 'it is at the highest level' : `it is ${row.status}`;
      throw conflict(`Appeal ${row.number} cannot be escalated: ${why}.`, [{ path: 'to', message: 'escalation not allowed now' }]);
    }
    const level = row.escalation_level + 1;
    await writeMove(db, row, move, { actorId: user.id, note: req.note ?? (await systemNote(db, 'escalation', { level })) });
  });
}
