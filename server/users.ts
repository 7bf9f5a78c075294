import type pg from 'pg';
import { hashPassword, verifyPassword } from './auth/passwords.ts';
import type { Role } from './domain/roles.ts';
import { readCentreFace } from './meta/centre.ts';
import { demoUserName } from './seed/demo-names.ts';
import type { UserRow } from './auth/sessions.ts';

export interface NewUser {
  login: string;
  name: string;
  role: Role;
  password: string;
  districtCodes?: string[];
  serviceCode?: string;
  /** A demo account (known password): refused at sign-in when demo mode is off. */
  isDemo?: boolean;
}

/** Creates (or, with `replace`, updates) a user; district and service codes must exist. */
export async function upsertUser(pool: pg.Pool, u: NewUser, replace = false): Promise<number> {
  const hash = await hashPassword(u.password);
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO users (login, name, role, password_hash, district_ids, service_id, is_demo)
     VALUES ($1, $2, $3, $4,
             coalesce((SELECT array_agg(id ORDER BY id) FROM districts WHERE code = ANY($5::text[])), '{}'),
             (SELECT id FROM services WHERE code = $6), $7)
     ON CONFLICT (login) DO ${
       replace
         ? `UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, password_hash = EXCLUDED.password_hash,
        district_ids = EXCLUDED.district_ids, service_id = EXCLUDED.service_id, disabled = false, is_demo = EXCLUDED.is_demo`
         : 'NOTHING'
     }
     RETURNING id`,
    [u.login, u.name, u.role, hash, u.districtCodes ?? [], u.serviceCode ?? null, u.isDemo ?? false],
  );
  if (!rows[0]) throw new Error(`User "${u.login}" already exists`);
  return rows[0].id;
}

/** The demo password of every demo user; only ever set in demo mode. */
export const DEMO_PASSWORD = 'jardem-demo';

/** One demo user per role. The supervisor has the first two districts, the executor the first service with open work. */
export async function createDemoUsers(pool: pg.Pool): Promise<void> {
  const districts = (await pool.query<{ code: string }>('SELECT code FROM districts ORDER BY code LIMIT 2')).rows.map((r) => r.code);
  const service = (
    await pool.query<{ code: string }>(
      `SELECT s.code FROM services s LEFT JOIN incidents i ON i.service_id = s.id AND i.is_open
        GROUP BY s.code ORDER BY count(i.id) DESC, s.code LIMIT 1`,
    )
  ).rows[0]?.code;
  const demo: Omit<NewUser, 'password' | 'name'>[] = [
    { login: 'admin', role: 'admin' },
    { login: 'dispatcher', role: 'dispatcher' },
    { login: 'supervisor', role: 'supervisor', districtCodes: districts },
    { login: 'executor', role: 'executor', serviceCode: service },
    { login: 'official', role: 'official' },
    { login: 'display', role: 'display' },
  ];
  // Names from the city pack: its language and its centre's name.
  const face = await readCentreFace(pool);
  for (const u of demo) await upsertUser(pool, { ...u, name: demoUserName(u.role, face), password: DEMO_PASSWORD, isDemo: true }, true);
}

/** The logins demo seeding creates. */
export const DEMO_LOGINS = ['admin', 'dispatcher', 'supervisor', 'executor', 'official', 'display'];

/**
 * Marks as demo accounts those seeded before `users.is_demo` existed: a demo login whose
 * password is still the demo password. Returns the logins marked.
 */
export async function markSeededDemoUsers(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ id: number; login: string; password_hash: string | null }>(
    'SELECT id, login, password_hash FROM users WHERE login = ANY($1::text[]) AND NOT is_demo',
    [DEMO_LOGINS],
  );
  const marked: string[] = [];
  for (const r of rows) {
    if (!(await verifyPassword(DEMO_PASSWORD, r.password_hash))) continue;
    await pool.query('UPDATE users SET is_demo = true WHERE id = $1', [r.id]);
    marked.push(r.login);
  }
  return marked;
}

/** Demo mode is off: the demo accounts' sessions end (their sign-ins are refused from now on). */
export async function endDemoSessions(pool: pg.Pool): Promise<number> {
  const { rowCount } = await pool.query('DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE is_demo)');
  return rowCount ?? 0;
}

/** A user as sign-in checks it: the password hash, whether disabled, whether a demo account. The login is case-insensitive. */
export async function userForSignIn(pool: pg.Pool, login: string) {
  const { rows } = await pool.query<UserRow & { password_hash: string; disabled: boolean; is_demo: boolean }>(
    'SELECT id, login, name, role, district_ids, service_id, password_hash, disabled, is_demo FROM users WHERE lower(login) = lower($1)',
    [login],
  );
  return rows[0];
}
