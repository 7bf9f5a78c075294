import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { AppEnv, Deps } from '../context.ts';
import { AppError } from '../errors.ts';
import { validJson } from '../validate.ts';
import { verifyPassword } from './passwords.ts';
import { DISPLAY_SESSION_HOURS, sessionForDisplayToken } from './display-tokens.ts';
import { createSession, deleteSession, SESSION_COOKIE, toSessionUser, userForToken } from './sessions.ts';

const LoginBody = z.object({
  login: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
});

// A hash of a random password: unknown logins cost the same time as wrong passwords.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

const DisplayBody = z.object({ token: z.string().min(10).max(200) });

export function authRoutes({ pool, config }: Deps) {
  const setSessionCookie = (c: Context, token: string, hours: number) =>
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: config.JARDEM_SECURE_COOKIES,
      path: '/',
      maxAge: hours * 3600,
    });

  return (
    new Hono<AppEnv>()
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
        setSessionCookie(c, token, config.JARDEM_SESSION_HOURS);
        return c.json({ user: toSessionUser(row) });
      })
      // A wall screen exchanges its display token (from /wall?token=...) for a long session.
      .post('/display', validJson(DisplayBody), async (c) => {
        const token = await sessionForDisplayToken(pool, c.req.valid('json').token);
        if (!token) throw new AppError(401, 'invalid_token', 'This display token is unknown or has been revoked.');
        setSessionCookie(c, token, DISPLAY_SESSION_HOURS);
        const user = await userForToken(pool, token);
        return c.json({ user });
      })
      .post('/logout', async (c) => {
        const token = getCookie(c, SESSION_COOKIE);
        if (token) await deleteSession(pool, token);
        deleteCookie(c, SESSION_COOKIE, { path: '/' });
        return c.json({ ok: true });
      })
      // Who is signed in: `{ user: null }` for nobody (the client asks on every page load).
      .get('/me', (c) => c.json({ user: c.get('user') }))
  );
}
