import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { AppEnv, Deps } from '../context.ts';
import { AppError, unauthorized } from '../errors.ts';
import { validJson } from '../validate.ts';
import { verifyPassword } from './passwords.ts';
import { createSession, deleteSession, SESSION_COOKIE, toSessionUser } from './sessions.ts';

const LoginBody = z.object({
  login: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
});

// A hash of a random password: unknown logins cost the same time as wrong passwords.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export function authRoutes({ pool, config }: Deps) {
  return new Hono<AppEnv>()
    .post('/login', validJson(LoginBody), async (c) => {
      const { login, password } = c.req.valid('json');
      const { rows } = await pool.query(
        'SELECT id, login, name, role, district_ids, service_id, password_hash, disabled FROM users WHERE lower(login) = lower($1)',
        [login],
      );
      const row = rows[0];
      const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
      if (!row || !ok || row.disabled) throw new AppError(401, 'invalid_credentials', 'Wrong login or password.');
      const token = await createSession(pool, row.id, config.JARDEM_SESSION_HOURS);
      setCookie(c, SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'Lax',
        secure: config.JARDEM_SECURE_COOKIES,
        path: '/',
        maxAge: config.JARDEM_SESSION_HOURS * 3600,
      });
      return c.json({ user: toSessionUser(row) });
    })
    .post('/logout', async (c) => {
      const token = getCookie(c, SESSION_COOKIE);
      if (token) await deleteSession(pool, token);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.json({ ok: true });
    })
    .get('/me', (c) => {
      const user = c.get('user');
      if (!user) throw unauthorized();
      return c.json({ user });
    });
}
