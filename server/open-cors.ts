import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

type CorsOptions = Omit<NonNullable<Parameters<typeof cors>[0]>, 'origin' | 'credentials' | 'exposeHeaders'>;

/**
 * CORS open to every origin (the OGC API, Open311, tiles). A preflight is answered by Hono's
 * `cors()`; every other answer gets the one header it would add, set on the answer once it is
 * made. (`cors()` sets it on `c.res` before the handler runs, and the handler's answer is then
 * rebuilt around a web stream, which the Node adapter writes by its slow path: ~0.3 ms of CPU
 * on every answer of these public surfaces, issue 23. Headers of an answer made are a plain
 * object on the adapter's light Response.)
 */
export function openCors(options: CorsOptions): MiddlewareHandler {
  const preflight = cors({ ...options, origin: '*' });
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    await next();
    c.res.headers.set('Access-Control-Allow-Origin', '*');
  };
}
