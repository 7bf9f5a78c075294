import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Role, SessionUser } from '../domain/roles.ts';

export const SESSION_COOKIE = 'jardem_session';

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** Creates a session and returns the token for the cookie (only its hash is stored). */
export async function createSession(pool: pg.Pool, userId: number, hours: number, displayTokenId: number | null = null): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await pool.query(
    `INSERT INTO sessions (token_hash, user_id, expires_at, display_token_id) VALUES ($1, $2, now() + make_interval(hours => $3), $4)`,
    [sha256(token), userId, hours, displayTokenId],
  );
  return token;
}

export interface UserRow {
  id: number;
  login: string;
  name: string;
  role: Role;
  district_ids: number[];
  service_id: number | null;
}

export const toSessionUser = (r: UserRow): SessionUser => ({
  id: r.id,
  login: r.login,
  name: r.name,
  role: r.role,
  districtIds: r.district_ids,
  serviceId: r.service_id,
});

/** The user behind a live session token, or null. Last-seen is refreshed at most every 5 minutes. */
export async function userForToken(pool: pg.Pool, token: string): Promise<SessionUser | null> {
  const hash = sha256(token);
  const { rows } = await pool.query<UserRow & { stale: boolean }>(
    `SELECT u.id, u.login, u.name, u.role, u.district_ids, u.service_id,
            s.last_seen_at < now() - interval '5 minutes' AS stale
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled`,
    [hash],
  );
  if (!rows[0]) return null;
  if (rows[0].stale) await pool.query('UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1', [hash]);
  return toSessionUser(rows[0]);
}

export async function deleteSession(pool: pg.Pool, token: string): Promise<void> {
  await pool.query('DELETE FROM sessions WHERE token_hash = $1', [sha256(token)]);
}

/** Ends every session of a user (logout everywhere, disabled account, new password); returns how many. */
export async function deleteUserSessions(pool: pg.Pool, userId: number): Promise<number> {
  const { rowCount } = await pool.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
  return rowCount ?? 0;
}
