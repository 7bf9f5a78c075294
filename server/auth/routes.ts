import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { AppEnv, Deps } from '../context.ts';
import { AppError, unauthorized } from '../errors.ts';
import { clientAddress } from '../limits/client-address.ts';
import { validJson } from '../validate.ts';
import { csrfTokenFor } from './csrf.ts';
import { verifyPassword } from './passwords.ts';
import { DISPLAY_SESSION_HOURS, sessionForDisplayToken } from './display-tokens.ts';
import { createSession, deleteSession, deleteUserSessions, SESSION_COOKIE, toSessionUser, userForToken } from './sessions.ts';
import { HashGate, SIGN_IN_DB_GATE_OPTIONS, SIGN_IN_GATE_OPTIONS } from './hash-gate.ts';
import { SignInThrottle } from './throttle.ts';
import { DEVICE_COOKIE, DEVICE_COOKIE_DAYS, deviceCookieFor, isKnownDevice } from './known-device.ts';
import { linkKey } from '../lifecycle/tokens.ts';
import { userForSignIn } from '../users.ts';
import type { Me, SignedIn } from '../contract/platform.ts';

const LoginBody = z.object({
  login: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
});

// A hash of a random password: unknown logins cost the same time as wrong passwords.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

const DisplayBody = z.object({ token: z.string().min(10).max(200) });

export function authRoutes({ pool, config }: Deps) {
  const throttle = new SignInThrottle(pool, config);
  const hashGate = new HashGate(SIGN_IN_GATE_OPTIONS);
  const dbGate = new HashGate(SIGN_IN_DB_GATE_OPTIONS);
  const deviceKey = linkKey(config);
  // Secure when configured (or JARDEM_PUBLIC_URL is https), or when a trusted TLS-terminating
  // proxy says the client used https; an untrusted X-Forwarded-Proto is anyone's claim.
  const setSessionCookie = (c: Context, token: string, hours: number) =>
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Lax',
      secure:
        config.JARDEM_SECURE_COOKIES || (config.JARDEM_TRUST_PROXY && c.req.header('x-forwarded-proto')?.split(',')[0].trim() === 'https'),
      path: '/',
      maxAge: hours * 3600,
    });

  return (
    new Hono<AppEnv>()
      .post('/login', validJson(LoginBody), async (c) => {
        const { login, password } = c.req.valid('json');
        const address = clientAddress(c, config);
        const row = await dbGate.run(async () => {
          // Counted before the hash, so concurrent guesses meet the limit too (429).
          await throttle.admit(login, address, isKnownDevice(deviceKey, login, getCookie(c, DEVICE_COOKIE)));
          return userForSignIn(pool, login);
        });
        const ok = await hashGate.run(() => verifyPassword(password, row?.password_hash ?? DUMMY_HASH));
        // Demo accounts (known password) only sign in while demo mode is on; refused like a wrong password.
        if (!row || !ok || row.disabled || (row.is_demo && !config.JARDEM_DEMO)) {
          throw new AppError(401, 'invalid_credentials', 'Wrong login or password.');
        }
        await throttle.succeeded(login, address);
        const token = await createSession(pool, row.id, config.JARDEM_SESSION_HOURS);
        setSessionCookie(c, token, config.JARDEM_SESSION_HOURS);
        // This browser is now known to the login: a flood of guesses elsewhere will not hold it back.
        setCookie(c, DEVICE_COOKIE, deviceCookieFor(deviceKey, row.login), {
          httpOnly: true,
          sameSite: 'Strict',
          secure: config.JARDEM_SECURE_COOKIES,
          path: '/api/auth',
          maxAge: DEVICE_COOKIE_DAYS * 86400,
        });
        return c.json({ user: toSessionUser(row), csrfToken: csrfTokenFor(token) } satisfies SignedIn);
      })
      // A wall screen exchanges its display token (from /wall?token=...) for a long session.
      .post('/display', validJson(DisplayBody), async (c) => {
        const token = await sessionForDisplayToken(pool, c.req.valid('json').token);
        if (!token) throw new AppError(401, 'invalid_token', 'This display token is unknown or has been revoked.');
        setSessionCookie(c, token, DISPLAY_SESSION_HOURS);
        const user = await userForToken(pool, token);
        return c.json({ user, csrfToken: csrfTokenFor(token) });
      })
      .post('/logout', async (c) => {
        const token = getCookie(c, SESSION_COOKIE);
        if (token) await deleteSession(pool, token);
        deleteCookie(c, SESSION_COOKIE, { path: '/' });
        return c.json({ ok: true });
      })
      // Ends every session of the signed-in user (all browsers and devices), this one included.
      .post('/logout-all', async (c) => {
        const user = c.get('user');
        if (!user) throw unauthorized();
        const ended = await deleteUserSessions(pool, user.id);
        deleteCookie(c, SESSION_COOKIE, { path: '/' });
        return c.json({ ok: true, ended });
      })
      // Who is signed in: `{ user: null }` for nobody (the client asks on every page load), with
      // the session's CSRF token that every write must carry.
      .get('/me', (c) => {
        const user = c.get('user');
        const token = getCookie(c, SESSION_COOKIE);
        return c.json((user && token ? { user, csrfToken: csrfTokenFor(token) } : { user: null }) satisfies Me);
      })
  );
}
