import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type pg from 'pg';
import type { AppEnv } from '../context.ts';
import type { Role } from '../domain/roles.ts';
import { SESSION_COOKIE, userForToken } from './sessions.ts';

/** Puts the session's user (or null) on the context; never rejects by itself. */
export const loadSession = (pool: pg.Pool) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    c.set('user', token ? await userForToken(pool, token) : null);
    await next();
  });

/** Roles that may see reporters' names and phones (every read is logged). */
export const PERSONAL_DATA_ROLES: readonly Role[] = ['admin', 'dispatcher', 'supervisor', 'executor'];
