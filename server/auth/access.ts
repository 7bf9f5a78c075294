import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context.ts';
import { AppError, forbidden, unauthorized } from '../errors.ts';
import { log } from '../log.ts';
import { findEntry, pathPattern, scopeFor } from './matrix.ts';
import { deriveScope, NO_SCOPE } from './scope.ts';

interface MountedRoute {
  method: string;
  path: string;
}

/**
 * Enforces the access matrix (server/auth/matrix.ts) before any handler: 401 without a session
 * and 403 with a role the matrix does not list. A request to a mounted route that the matrix
 * does not declare is refused (403, logged as an error): new routes are closed until declared.
 * Requests that match no mounted route pass on to their 404. Every request leaves here with
 * its scope in the context (`c.get('scope')`, server/auth/scope.ts).
 */
export const enforceAccess = (routes: () => readonly MountedRoute[]) => {
  let handlers: { method: string; re: RegExp }[] | undefined;
  const mounted = (method: string, path: string) => {
    handlers ??= routes()
      .filter((r) => r.method !== 'ALL' && !r.path.includes('*'))
      .map((r) => ({ method: r.method, re: pathPattern(r.path) }));
    const m = method === 'HEAD' ? 'GET' : method;
    return handlers.some((h) => h.method === m && h.re.test(path));
  };
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.method === 'OPTIONS') return next();
    const entry = findEntry(c.req.method, c.req.path);
    c.set('scope', NO_SCOPE);
    if (!entry) {
      if (mounted(c.req.method, c.req.path)) {
        log.error({ method: c.req.method, path: c.req.path }, 'route missing from the access matrix');
        throw new AppError(403, 'forbidden', 'This route is not declared in the access matrix.');
      }
      return next();
    }
    if (entry.access.kind === 'roles') {
      const user = c.get('user');
      if (!user) throw unauthorized();
      if (!scopeFor(entry, user.role)) throw forbidden();
    }
    // Handlers narrow what they read and change by this, derived in one place.
    c.set('scope', deriveScope(entry, c.get('user') ?? null));
    await next();
  });
};
