import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { pathPattern } from './auth/matrix.ts';
import { AppError } from './errors.ts';
import { IncidentFilterSchema } from './incidents/filters.ts';
import { ItemsQuerySchema } from './ogc/params.ts';
import { schemaOf } from './openapi/registry.ts';

/**
 * Every API, tile, OGC and Open311 route refuses query parameters it does not define: 400
 * `unknown_parameter` naming them (DESIGN.md). An ignored parameter is not harmless: it made a
 * distinct cache entry per value, and a loop over `?x=1…400` filled the heap (issue 15).
 *
 * A route's parameters are the keys of the zod schema its `validQuery` checks, found by walking
 * the mounted routes (as the access check and the API description do), plus the few a route
 * reads without a schema, declared below. A request that matches no route passes on to its 404.
 */

/** A route as Hono lists it in `app.routes`. */
interface MountedRoute {
  method: string;
  path: string;
  handler: unknown;
}

/** The keys an object schema (or an intersection or refinement of object schemas) accepts. */
export function schemaKeys(schema: z.ZodType): string[] {
  const keys = new Set<string>();
  const walk = (s: Record<string, any>) => {
    for (const k of Object.keys(s.properties ?? {})) keys.add(k);
    for (const part of [...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])]) walk(part);
  };
  walk(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, any>);
  return [...keys];
}

/**
 * OGC API – Features: GDAL appends the query of the dataset URL (`OAPIF:…/ogc?datetime=…`) to
 * every request it makes, the landing page and collections included, so every OGC route takes
 * the items' parameters (and the incident filters the items take), harmlessly.
 */
const OGC_PARAMS = [...schemaKeys(ItemsQuerySchema), 'offset', ...schemaKeys(IncidentFilterSchema)];

/** Open311 GeoReport v2: `jurisdiction_id` is in the standard on every call (one city here: ignored). */
const OPEN311_REQUESTS = [
  'service_request_id',
  'service_code',
  'start_date',
  'end_date',
  'status',
  'updated_after',
  'updated_before',
  'page',
  'page_size',
];

/** Parameters read without a schema, by method and path (Hono's syntax); added to the schema's. */
const DECLARED: { method: string; path: RegExp; params: string[] }[] = [
  // The SSE client that cannot set a header sends the last event id in the URL.
  { method: 'GET', path: /^\/api\/live\/?$/, params: ['lastEventId'] },
  // The map's data version: a new value makes browsers fetch tiles afresh (client/src/map/incident-tiles.ts).
  { method: 'GET', path: /^\/tiles\/incidents\//, params: ['v'] },
  { method: 'GET', path: /^\/ogc(\/|$)/, params: OGC_PARAMS },
  { method: 'GET', path: /^\/open311\/v2\/requests\.(json|xml)$/, params: [...OPEN311_REQUESTS, 'extensions', 'jurisdiction_id'] },
  { method: 'GET', path: /^\/open311\/v2\/requests\/[^/]+$/, params: ['extensions', 'jurisdiction_id'] },
  { method: 'GET', path: /^\/open311\/v2\//, params: ['jurisdiction_id'] },
  { method: 'POST', path: /^\/open311\/v2\/requests\.(json|xml)$/, params: ['api_key', 'jurisdiction_id'] },
  // The citizens' pages: the language, the page's "thank you" after a form, and the appeal a
  // citizen's link opens in the portal (server/public/, client/src/public/).
  { method: 'GET', path: /^\/feedback\/[^/]+$/, params: ['lang', 'done'] },
  { method: 'POST', path: /^\/feedback\/[^/]+$/, params: ['lang'] },
  { method: 'GET', path: /^\/public(\/|$)/, params: ['lang', 'number', 'token'] },
];

/** Keys every route of these takes, so that a HEAD or an OPTIONS preflight is judged like its GET. */
const methodOf = (m: string) => (m === 'HEAD' ? 'GET' : m);

/** The 400 for unknown parameters. */
export function unknownParameters(names: string[]): AppError {
  return new AppError(
    400,
    'unknown_parameter',
    `Unknown query parameter${names.length > 1 ? 's' : ''}: ${names.join(', ')}. See /api/docs for the parameters each route takes.`,
    names.map((n) => ({ path: n, message: 'not a parameter of this route' })),
  );
}

/**
 * The middleware. `routes` is read on the first request (the app is complete by then).
 * `answer` writes the refusal (the JSON error shape by default; Open311 has its own).
 */
export function queryGuard(routes: () => readonly MountedRoute[], answer?: (c: Context, err: AppError) => Response): MiddlewareHandler {
  let table: { method: string; re: RegExp; params: Set<string> }[] | undefined;
  const build = () => {
    const byRoute = new Map<string, { method: string; re: RegExp; params: Set<string> }>();
    for (const r of routes()) {
      if (r.method === 'ALL' || r.path.includes('*')) continue;
      const k = `${r.method} ${r.path}`;
      let row = byRoute.get(k);
      if (!row) byRoute.set(k, (row = { method: r.method, re: pathPattern(r.path), params: new Set() }));
      const s = schemaOf(r.handler);
      if (s?.target === 'query') for (const key of schemaKeys(s.schema)) row.params.add(key);
    }
    return [...byRoute.values()];
  };
  return async (c, next) => {
    const method = methodOf(c.req.method);
    if (method === 'OPTIONS') return next();
    const url = c.req.url;
    if (!url.includes('?')) return next();
    const names = Object.keys(c.req.queries());
    if (!names.length) return next();
    table ??= build();
    const path = c.req.path;
    const matched = table.filter((r) => r.method === method && r.re.test(path));
    if (!matched.length) return next(); // no such route: its 404
    const allowed = new Set<string>();
    for (const r of matched) for (const p of r.params) allowed.add(p);
    for (const d of DECLARED) if (d.method === method && d.path.test(path)) for (const p of d.params) allowed.add(p);
    const unknown = names.filter((n) => !allowed.has(n));
    if (!unknown.length) return next();
    const err = unknownParameters(unknown.slice(0, 20));
    if (answer) return answer(c, err);
    throw err;
  };
}
