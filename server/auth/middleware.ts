import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type pg from 'pg';
import type { AppEnv, Role } from '../context.ts';
import { forbidden, unauthorized } from '../errors.ts';
import { SESSION_COOKIE, userForToken } from './sessions.ts';

/** Puts the session's user (or null) on the context; never rejects by itself. */
export const loadSession = (pool: pg.Pool) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    c.set('user', token ? await userForToken(pool, token) : null);
    await next();
  });

/** Any signed-in user passes (what each may do is decided further on); 401 without a session. */
export const requireUser = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!c.get('user')) throw unauthorized();
    await next();
  });

/** Only these roles pass: 401 without a session, 403 with another role. */
export const requireRole = (...roles: Role[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const user = c.get('user');
    if (!user) throw unauthorized();
    if (!roles.includes(user.role)) throw forbidden();
    await next();
  });

/** Roles that may see reporters' names and phones (every read is logged). */
export const PERSONAL_DATA_ROLES: readonly Role[] = ['admin', 'dispatcher', 'supervisor', 'executor'];
