import type pg from 'pg';
import { hashPassword } from './auth/passwords.ts';
import type { Role } from './domain/roles.ts';

export interface NewUser {
  login: string;
  name: string;
  role: Role;
  password: string;
  districtCodes?: string[];
  serviceCode?: string;
}

/** Creates (or, with `replace`, updates) a user; district and service codes must exist. */
export async function upsertUser(pool: pg.Pool, u: NewUser, replace = false): Promise<number> {
  const hash = await hashPassword(u.password);
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO users (login, name, role, password_hash, district_ids, service_id)
     VALUES ($1, $2, $3, $4,
             coalesce((SELECT array_agg(id ORDER BY id) FROM districts WHERE code = ANY($5::text[])), '{}'),
             (SELECT id FROM services WHERE code = $6))
     ON CONFLICT (login) DO ${
       replace
         ? `UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, password_hash = EXCLUDED.password_hash,
        district_ids = EXCLUDED.district_ids, service_id = EXCLUDED.service_id, disabled = false`
         : 'NOTHING'
     }
     RETURNING id`,
    [u.login, u.name, u.role, hash, u.districtCodes ?? [], u.serviceCode ?? null],
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
  const demo: Omit<NewUser, 'password'>[] = [
    { login: 'admin', name: 'Администратор', role: 'admin' },
    { login: 'dispatcher', name: 'Диспетчер 109', role: 'dispatcher' },
    { login: 'supervisor', name: 'Супервайзер', role: 'supervisor', districtCodes: districts },
    { login: 'executor', name: 'Исполнитель', role: 'executor', serviceCode: service },
    { login: 'official', name: 'Акимат', role: 'official' },
    { login: 'display', name: 'Видеостена', role: 'display' },
  ];
  for (const u of demo) await upsertUser(pool, { ...u, password: DEMO_PASSWORD }, true);
}
