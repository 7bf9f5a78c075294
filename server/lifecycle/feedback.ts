import type pg from 'pg';
import { z } from 'zod';
import type { SessionUser } from '../domain/roles.ts';
import { withTransaction } from '../db/pool.ts';
import { AppError, conflict, forbidden, notFound } from '../errors.ts';
import type { Db } from './duplicates.ts';
import { redact } from '../privacy/redact.ts';
import { PUBLIC_NOTE_SQL } from '../privacy/visibility.ts';
import { findMove } from './machine.ts';
import { loadState, stateOf, writeMove } from './transitions.ts';
import { systemNote } from './system-notes.ts';
import { sha256, TOKEN_PATTERN } from './tokens.ts';
import { namesSql } from '../db/sql.ts';

const rating = z.number().int().min(1).max(5);
const comment = z.string().trim().min(1).max(2000);

export const RatingSchema = z.object({ rating, comment: comment.optional() });
export const DisputeSchema = z.object({ comment, rating: rating.optional() });

/** Statuses in which a result exists to be rated. */
const RATEABLE = ['resolved', 'closed'];

interface TokenRow {
  id: number;
  incident_id: number;
  expired: boolean;
  used_at: string | null;
}

/** The link's row; 404 for anything that is not a link we issued (no hint either way). */
async function findToken(db: Db, token: string, lock: boolean): Promise<TokenRow> {
  if (!TOKEN_PATTERN.test(token)) throw notFound('Feedback link');
  const { rows } = await db.query<TokenRow>(
    `SELECT id, incident_id, expires_at <= now() AS expired, used_at FROM incident_feedback_tokens WHERE token_hash = $1${lock ? ' FOR UPDATE' : ''}`,
    [sha256(token)],
  );
  if (!rows[0]) throw notFound('Feedback link');
  return rows[0];
}

const expired = () =>
  new AppError(410, 'link_expired', 'This feedback link has expired: the appeal was reopened, or its 15 days have passed.');
const used = () => conflict('This feedback link has already been used; thank you.');

/**
 * What a citizen sees behind a link: the appeal's number, category, status and the resolution
 * note when it was written for the citizen (redacted). No names, phones or staff.
 */
export async function feedbackView(pool: pg.Pool, token: string) {
  const t = await findToken(pool, token, false);
  if (t.expired && !t.used_at) throw expired();
  const { rows } = await pool.query(
    `SELECT i.number, json_build_object('code', c.code, 'name', ${namesSql('c')}) AS category, i.status, i.resolution,
            (SELECT ${PUBLIC_NOTE_SQL} FROM incident_events e WHERE e.incident_id = i.id AND e.to_status = 'resolved' ORDER BY e.id DESC LIMIT 1)
              AS resolution_note,
            i.created_at, i.resolved_at, i.closed_at, t.expires_at, t.used_at
       FROM incident_feedback_tokens t JOIN incidents i ON i.id = t.incident_id JOIN categories c ON c.id = i.category_id
      WHERE t.id = $1`,
    [t.id],
  );
  const r = rows[0];
  const open = !t.used_at && !t.expired && RATEABLE.includes(r.status);
  return { ...r, resolution_note: redact(r.resolution_note), answered: t.used_at !== null, can_rate: open, can_dispute: open };
}

/** Writes one rating or dispute and refreshes the appeal's rating (the rounded mean of all given). */
async function record(
  db: Db,
  incidentId: number,
  f: { via: 'link' | 'phone'; tokenId?: number; rating?: number; comment?: string; disputed?: boolean; actorId?: number },
) {
  await db.query(
    `INSERT INTO incident_feedback (incident_id, token_id, via, rating, comment, disputed, actor_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [incidentId, f.tokenId ?? null, f.via, f.rating ?? null, f.comment ?? null, f.disputed ?? false, f.actorId ?? null],
  );
  if (f.rating === undefined) return null;
  const { rows } = await db.query<{ version: number; rating: number }>(
    `UPDATE incidents
        SET rating = (SELECT round(avg(rating))::smallint FROM incident_feedback WHERE incident_id = $1 AND rating IS NOT NULL),
            feedback_comment = coalesce($2, feedback_comment), version = version + 1, updated_at = now()
      WHERE id = $1 RETURNING version, rating`,
    [incidentId, f.comment ?? null],
  );
  // The note carries the score only: comments may hold personal data, and events are public.
  await db.query(`INSERT INTO incident_events (incident_id, actor_id, action, note, data) VALUES ($1, $2, 'feedback', $3, $4)`, [
    incidentId,
    f.actorId ?? null,
    await systemNote(db, 'rating', { rating: f.rating }),
    { via: f.via, rating: f.rating },
  ]);
  return rows[0];
}

/** Locks a live, unused link and marks it used (410 expired, 409 used). */
async function spend(db: Db, token: string): Promise<TokenRow> {
  const t = await findToken(db, token, true);
  if (t.used_at) throw used();
  if (t.expired) throw expired();
  await db.query('UPDATE incident_feedback_tokens SET used_at = now() WHERE id = $1', [t.id]);
  return t;
}

/** POST /api/feedback/:token — a rating (1–5) with an optional comment. */
export async function rateByLink(pool: pg.Pool, token: string, body: z.infer<typeof RatingSchema>) {
  return withTransaction(pool, async (db) => {
    const t = await spend(db, token);
    const row = await loadState(db, t.incident_id, true);
    if (!row || !RATEABLE.includes(row.status)) throw conflict('This appeal is being worked on again: there is nothing to rate yet.');
    await record(db, t.incident_id, { via: 'link', tokenId: t.id, rating: body.rating, comment: body.comment });
    return { ok: true, rating: body.rating };
  });
}

/** POST /api/feedback/:token/dispute — "it is not fixed": the appeal is reopened; other links end. */
export async function disputeByLink(pool: pg.Pool, token: string, body: z.infer<typeof DisputeSchema>) {
  return withTransaction(pool, async (db) => {
    const t = await spend(db, token);
    const row = await loadState(db, t.incident_id, true);
    const move = row && findMove('citizen', stateOf(row), 'reopened');
    if (!row || !move) throw conflict('This appeal cannot be disputed now.');
    await writeMove(db, row, move, { actorId: null, note: await systemNote(db, 'disputed'), data: { via: 'feedback_link' } });
    await record(db, t.incident_id, { via: 'link', tokenId: t.id, rating: body.rating, comment: body.comment, disputed: true });
    return { ok: true, status: 'reopened' };
  });
}

/** POST /api/incidents/:id/feedback — a rating a dispatcher took on the phone. */
export async function rateByPhone(pool: pg.Pool, id: number, body: z.infer<typeof RatingSchema>, user: SessionUser) {
  if (user.role !== 'dispatcher' && user.role !== 'admin') throw forbidden('Only dispatchers and admins enter ratings.');
  return withTransaction(pool, async (db) => {
    const row = await loadState(db, id, true);
    if (!row) throw notFound('Incident');
    if (!RATEABLE.includes(row.status)) {
      throw conflict(`Appeal ${row.number} is ${row.status}: only a resolved or closed appeal is rated.`, [
        { path: 'rating', message: `status is ${row.status}` },
      ]);
    }
    const r = await record(db, id, { via: 'phone', rating: body.rating, comment: body.comment, actorId: user.id });
    return { id, rating: r!.rating, version: r!.version };
  });
}
