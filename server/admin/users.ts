import type pg from 'pg';
import { z } from 'zod';
import { deleteUserSessions } from '../auth/sessions.ts';
import { hashPassword } from '../auth/passwords.ts';
import { liftSignInLocks } from '../auth/throttle.ts';
import { ROLES, type Role } from '../domain/roles.ts';
import { badRequest } from '../errors.ts';

const Code = z.string().regex(/^[a-z0-9_.-]{1,128}$/, 'not a valid code');
const RoleSchema = z.enum(ROLES);
/** Passwords: 10 to 200 characters (scrypt takes any length; the floor is the policy). */
export const Password = z.string().min(10, 'at least 10 characters').max(200);

const scopeFits = (u: { role?: Role; districts?: string[]; service?: string | null }) =>
  (u.role !== 'supervisor' || (u.districts?.length ?? 0) > 0) && (u.role !== 'executor' || Boolean(u.service));
const SCOPE_MESSAGE = { message: 'a supervisor needs districts, an executor a service', path: ['role'] };

export const NewUserSchema = z
  .object({
    login: z.string().regex(/^[a-zA-Z0-9_.@-]{2,64}$/, '2–64 letters, digits or _.@-'),
    name: z.string().trim().min(1).max(200),
    role: RoleSchema,
    password: Password,
    districts: z.array(Code).max(100).default([]),
    service: Code.nullable().optional(),
  })
  .refine(scopeFits, SCOPE_MESSAGE);

export const UserPatchSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  role: RoleSchema.optional(),
  districts: z.array(Code).max(100).optional(),
  service: Code.nullable().optional(),
  disabled: z.boolean().optional(),
});

export interface AdminUser {
  id: number;
  login: string;
  name: string;
  role: Role;
  districts: string[];
  service: string | null;
  disabled: boolean;
  created_at: string;
  sessions: number;
  locked_until: string | null;
}

const SELECT = `
  SELECT u.id, u.login, u.name, u.role, u.disabled, u.created_at, s.code AS service,
         coalesce((SELECT array_agg(d.code ORDER BY d.code) FROM districts d WHERE d.id = ANY(u.district_ids)), '{}') AS districts,
         (SELECT count(*)::int FROM sessions x WHERE x.user_id = u.id AND x.expires_at > now()) AS sessions,
         (SELECT max(a.locked_until) FROM sign_in_attempts a
           WHERE a.kind = 'pair' AND a.login = lower(u.login) AND a.locked_until > now()) AS locked_until
    FROM users u LEFT JOIN services s ON s.id = u.service_id`;

export async function listUsers(pool: pg.Pool): Promise<AdminUser[]> {
  return (await pool.query<AdminUser>(`${SELECT} ORDER BY u.login`)).rows;
}

export async function getUser(pool: pg.Pool, id: number): Promise<AdminUser | null> {
  return (await pool.query<AdminUser>(`${SELECT} WHERE u.id = $1`, [id])).rows[0] ?? null;
}

/** District ids and a service id for codes; 400 naming any code that does not exist. */
async function resolveScope(pool: pg.Pool, districts: string[] | undefined, service: string | null | undefined) {
  const details = [];
  let districtIds: number[] | undefined;
  if (districts) {
    const { rows } = await pool.query<{ id: number; code: string }>('SELECT id, code FROM districts WHERE code = ANY($1::text[])', [
      districts,
    ]);
    const missing = districts.filter((c) => !rows.some((r) => r.code === c));
    if (missing.length) details.push({ path: 'districts', message: `unknown district: ${missing.join(', ')}` });
    districtIds = rows.map((r) => r.id).sort((a, b) => a - b);
  }
  let serviceId: number | null | undefined = service === null ? null : undefined;
  if (service) {
    serviceId = (await pool.query<{ id: number }>('SELECT id FROM services WHERE code = $1', [service])).rows[0]?.id;
    if (serviceId === undefined) details.push({ path: 'service', message: `unknown service: ${service}` });
  }
  if (details.length) throw badRequest('Unknown district or service code.', details);
  return { districtIds, serviceId };
}

/** Creates a user; null when the login is taken. */
export async function createUser(pool: pg.Pool, u: z.output<typeof NewUserSchema>): Promise<number | null> {
  const { districtIds, serviceId } = await resolveScope(pool, u.districts, u.service);
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO users (login, name, role, password_hash, district_ids, service_id) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (login) DO NOTHING RETURNING id`,
    [u.login, u.name, u.role, await hashPassword(u.password), districtIds ?? [], serviceId ?? null],
  );
  return rows[0]?.id ?? null;
}

/** Changes name, role, scope or the disabled flag; a disabled account loses its sessions. */
export async function updateUser(pool: pg.Pool, id: number, patch: z.output<typeof UserPatchSchema>): Promise<AdminUser | null> {
  const current = await getUser(pool, id);
  if (!current) return null;
  const next = {
    role: patch.role ?? current.role,
    districts: patch.districts ?? current.districts,
    service: patch.service === undefined ? current.service : patch.service,
  };
  if (!scopeFits(next))
    throw badRequest('A supervisor needs districts, an executor a service.', [{ path: 'role', message: SCOPE_MESSAGE.message }]);
  const { districtIds, serviceId } = await resolveScope(pool, patch.districts, patch.service);
  await pool.query(
    `UPDATE users SET name = coalesce($2, name), role = coalesce($3, role),
            district_ids = coalesce($4::int[], district_ids),
            service_id = CASE WHEN $5::boolean THEN $6::int ELSE service_id END,
            disabled = coalesce($7, disabled)
      WHERE id = $1`,
    [
      id,
      patch.name ?? null,
      patch.role ?? null,
      districtIds ?? null,
      patch.service !== undefined,
      serviceId ?? null,
      patch.disabled ?? null,
    ],
  );
  if (patch.disabled) await deleteUserSessions(pool, id);
  return getUser(pool, id);
}

/**
 * Sets a new password, ends every session and lifts the login's sign-in locks. A password an
 * admin chose makes a demo account a real one. False when there is no such user.
 */
export async function resetPassword(pool: pg.Pool, id: number, password: string): Promise<boolean> {
  const { rows } = await pool.query<{ login: string }>(
    'UPDATE users SET password_hash = $2, is_demo = false WHERE id = $1 RETURNING login',
    [id, await hashPassword(password)],
  );
  if (!rows[0]) return false;
  await deleteUserSessions(pool, id);
  await liftSignInLocks(pool, { login: rows[0].login });
  return true;
}
