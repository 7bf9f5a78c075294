import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { createSession } from './sessions.ts';

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** Sessions opened by a display token last this long (a wall runs for weeks untouched). */
export const DISPLAY_SESSION_HOURS = 24 * 30;

export interface DisplayToken {
  id: number;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/**
 * Issues a display token for the wall. It belongs to the `display` user named by `login`
 * (created without a password if missing). Returns the token once; only its hash is kept.
 */
export async function issueDisplayToken(
  pool: pg.Pool,
  name: string,
  createdBy: number | null,
  login = 'display',
): Promise<{ id: number; token: string }> {
  const token = `dsp_${randomBytes(24).toString('base64url')}`;
  const { rows } = await pool.query<{ id: number }>(
    `WITH u AS (
       INSERT INTO users (login, name, role) VALUES ($3, 'Wall display', 'display')
       ON CONFLICT (login) DO UPDATE SET login = EXCLUDED.login
       RETURNING id, role
     )
     INSERT INTO display_tokens (name, token_hash, user_id, created_by)
     SELECT $1, $2, u.id, $4 FROM u WHERE u.role = 'display'
     RETURNING id`,
    [name, sha256(token), login, createdBy],
  );
  if (!rows[0]) throw new Error(`User "${login}" exists and is not a display user`);
  return { id: rows[0].id, token };
}

export async function listDisplayTokens(pool: pg.Pool): Promise<DisplayToken[]> {
  const { rows } = await pool.query<DisplayToken>('SELECT id, name, created_at, last_used_at, revoked_at FROM display_tokens ORDER BY id');
  return rows;
}

/** Revokes a token and ends the sessions it opened. Returns false if there is no such token. */
export async function revokeDisplayToken(pool: pg.Pool, id: number): Promise<boolean> {
  const { rowCount } = await pool.query(
    `WITH t AS (UPDATE display_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id),
          s AS (DELETE FROM sessions WHERE display_token_id IN (SELECT id FROM t))
     SELECT id FROM t`,
    [id],
  );
  return Boolean(rowCount);
}

/** Exchanges a live display token for a session token, or null if unknown or revoked. */
export async function sessionForDisplayToken(pool: pg.Pool, token: string): Promise<string | null> {
  const { rows } = await pool.query<{ id: number; user_id: number }>(
    `UPDATE display_tokens t SET last_used_at = now()
       FROM users u
      WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.id = t.user_id AND NOT u.disabled
      RETURNING t.id, t.user_id`,
    [sha256(token)],
  );
  if (!rows[0]) return null;
  return createSession(pool, rows[0].user_id, DISPLAY_SESSION_HOURS, rows[0].id);
}
