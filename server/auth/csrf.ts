import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { Config } from '../config.ts';
import type { AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { findEntry } from './matrix.ts';
import { SESSION_COOKIE } from './sessions.ts';

/** The header a signed-in client sends with every write. */
export const CSRF_HEADER = 'X-CSRF-Token';

/**
 * The CSRF token of a session: derived from the session token (which only the HttpOnly cookie
 * holds), so it is bound to the session, needs no storage and ends with it. Given to the client
 * by /api/auth/login and /api/auth/me.
 */
export const csrfTokenFor = (sessionToken: string) => createHash('sha256').update(`csrf:${sessionToken}`).digest('base64url');

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const refuse = (message: string) => new AppError(403, 'csrf', message);

/**
 * A browser's write must come from this site: `Sec-Fetch-Site` same-origin (or none: typed by
 * the user), and an `Origin`, when sent, naming this host (403 `csrf` otherwise). Also used by
 * the citizens' form pages outside /api (server/public/routes.ts).
 */
export function assertSameSite(c: Context, config: Pick<Config, 'JARDEM_TRUST_PROXY' | 'JARDEM_PUBLIC_URL'>): void {
  const site = c.req.header('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') throw refuse('Cross-site writes are refused.');
  const origin = c.req.header('origin');
  if (origin && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      throw refuse('The Origin header is not a URL.');
    }
    const forwarded = config.JARDEM_TRUST_PROXY ? c.req.header('x-forwarded-host')?.split(',')[0].trim() : undefined;
    const own = forwarded || c.req.header('host') || new URL(c.req.url).host;
    if (host !== own && host !== new URL(config.JARDEM_PUBLIC_URL).host) throw refuse('Writes from another origin are refused.');
  } else if (origin === 'null') {
    throw refuse('Writes from an opaque origin are refused.');
  }
}

/**
 * Writes under /api must come from this site: a browser's `Sec-Fetch-Site` must be same-origin
 * (or none: typed by the user), an `Origin` must name this host, and a write carried by a
 * session cookie must repeat the session's CSRF token in X-CSRF-Token. Webhooks (no cookies,
 * their own secret) are left alone. Runs after loadSession.
 *
 * This site's host is the Host header (or JARDEM_PUBLIC_URL's host); X-Forwarded-Host counts
 * only behind a trusted proxy (JARDEM_TRUST_PROXY), since anyone else can send it.
 */
export const csrfProtection = (config: Pick<Config, 'JARDEM_TRUST_PROXY' | 'JARDEM_PUBLIC_URL'>) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (SAFE.has(c.req.method) || findEntry(c.req.method, c.req.path)?.access.kind === 'webhook') return next();
    assertSameSite(c, config);
    const token = getCookie(c, SESSION_COOKIE);
    if (token && c.get('user') && c.req.header(CSRF_HEADER) !== csrfTokenFor(token)) {
      throw refuse(`Send the session's ${CSRF_HEADER} header (from /api/auth/me) with every write.`);
    }
    await next();
  });
