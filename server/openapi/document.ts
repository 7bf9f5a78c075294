import { createHash } from 'node:crypto';
import { declaredEntry } from '../auth/matrix.ts';
import { z } from 'zod';
import { SESSION_COOKIE } from '../auth/sessions.ts';
import { routeDoc, schemaOf, type InputTarget, type ResponseDoc, type RouteDoc } from './registry.ts';

/** A route as Hono lists it in `app.routes`. */
export interface MountedRoute {
  method: string;
  path: string;
  handler: unknown;
}

/** Words for the shared incident filters, whose schemas carry no descriptions of their own. */
const PARAMETER_WORDS: Record<string, string> = {
  status: 'Statuses, comma-separated or repeated; `open` = every non-final status, `overdue` = open and past the deadline.',
  type: 'Types of appeal.',
  category: 'Category codes from /api/meta; a category includes its descendants.',
  service: 'Service codes from /api/meta.',
  district: 'District codes from /api/meta.',
  channel: 'Channels the appeal came through.',
  bbox: 'minLng,minLat,maxLng,maxLat in WGS 84 degrees.',
  from: 'Registered at or after this ISO 8601 date or date-time (a date is midnight in the city).',
  to: 'Registered before this ISO 8601 date or date-time.',
  q: 'Text in the number, description or address.',
  limit: 'Page size.',
  cursor: 'The `next` value of the previous page.',
};

/** Hono's `/api/incidents/:id` (optionally `:id{regex}`) as OpenAPI's `/api/incidents/{id}`. */
export function openapiPath(path: string): string {
  return path.replace(/:(\w+)(\{(?:[^{}]|\{[^{}]*\})*\})?/g, '{$1}');
}

/** A routes' methods that the description shows (middleware registered for all methods is not a route). */
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** The routes the description covers: every concrete method and path under /api and /tiles. */
export function describedRoutes(routes: readonly MountedRoute[]): { method: string; path: string; handlers: unknown[] }[] {
  const byKey = new Map<string, { method: string; path: string; handlers: unknown[] }>();
  for (const r of routes) {
    if (!METHODS.has(r.method) || r.path.includes('*')) continue;
    if (!r.path.startsWith('/api/') && !r.path.startsWith('/tiles/')) continue;
    const k = `${r.method} ${r.path}`;
    if (!byKey.has(k)) byKey.set(k, { method: r.method, path: r.path, handlers: [] });
    byKey.get(k)!.handlers.push(r.handler);
  }
  return [...byKey.values()];
}

type JsonSchema = Record<string, any>;

/** Routes that answer without reading the database (no 503 to document). */
const NO_DATABASE = new Set(['/api/openapi.json', '/api/docs']);

/**
 * The JSON Schema of a zod schema. A recursive schema (e.g. the catalogue's tree of categories)
 * comes with `$defs` that its `#/$defs/...` references point at: inside an OpenAPI document those
 * would resolve against the document's root, so the definitions move to `components` (into
 * `shared`, named by their content) and the references follow them.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output', shared?: Record<string, JsonSchema>): JsonSchema {
  const { $schema: _, $defs, ...s } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  if (!$defs) return s;
  if (!shared) throw new Error('a recursive schema needs a place in components');
  const names = new Map<string, string>();
  for (const [id, def] of Object.entries<JsonSchema>($defs)) {
    const hash = createHash('sha256').update(JSON.stringify(def)).digest('hex').slice(0, 10);
    names.set(id, `${id.startsWith('__') ? 'Schema' : id}_${io}_${hash}`);
  }
  const moved = (v: unknown): any =>
    JSON.parse(
      JSON.stringify(v).replace(/"#\/\$defs\/([^"]+)"/g, (m, id: string) =>
        names.has(id) ? `"#/components/schemas/${names.get(id)}"` : m,
      ),
    );
  for (const [id, def] of Object.entries<JsonSchema>($defs)) shared[names.get(id)!] = moved(def);
  return moved(s);
}

/** Properties and required names of an object schema, looking through allOf (intersections). */
function objectParts(s: JsonSchema): { properties: Record<string, JsonSchema>; required: Set<string> } {
  const properties: Record<string, JsonSchema> = { ...(s.properties ?? {}) };
  const required = new Set<string>(s.required ?? []);
  for (const part of s.allOf ?? []) {
    const p = objectParts(part);
    Object.assign(properties, p.properties);
    for (const r of p.required) required.add(r);
  }
  return { properties, required };
}

/**
 * Parameters from the zod schema of a query or path. A list parameter (a string or repeated
 * strings that become an array of enum values) is shown as the comma list it accepts, with the
 * values of its output.
 */
export function parametersOf(schema: z.ZodType, where: 'query' | 'path'): JsonSchema[] {
  const input = objectParts(jsonSchema(schema, 'input'));
  const output = objectParts(jsonSchema(schema, 'output'));
  return Object.entries(input.properties).map(([name, s]) => {
    const out = output.properties[name];
    const isList = Array.isArray(s.anyOf) && s.anyOf.some((x: JsonSchema) => x.type === 'array') && out?.type === 'array';
    return {
      name,
      in: where,
      required: where === 'path' || input.required.has(name),
      description: s.description ?? PARAMETER_WORDS[name],
      ...(isList ? { style: 'form', explode: false, schema: { type: 'array', items: out.items ?? { type: 'string' } } } : { schema: s }),
    };
  });
}

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
      },
      required: ['code', 'message'],
    },
  },
};

function operation(method: string, path: string, handlers: unknown[], doc: RouteDoc | undefined, shared: Record<string, JsonSchema>) {
  const inputs = new Map<InputTarget, z.ZodType>();
  for (const h of handlers) {
    const s = schemaOf(h);
    if (s) inputs.set(s.target, s.schema);
  }
  const openPath = doc?.openapiPath ?? openapiPath(path);
  const pathNames = [...openPath.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const params = inputs.get('param') ? parametersOf(inputs.get('param')!, 'path') : [];
  for (const name of pathNames) {
    if (!params.some((p) => p.name === name)) {
      params.push({ name, in: 'path', required: true, description: doc?.pathParams?.[name], schema: { type: 'string' } });
    }
  }
  if (inputs.get('query')) params.push(...parametersOf(inputs.get('query')!, 'query'));
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(doc?.responses ?? { '200': 'OK' })) {
    const {
      description,
      contentType = 'application/json',
      schema,
      alsoAs = [],
    } = typeof r === 'string' ? ({ description: r } as ResponseDoc) : r;
    const body = schema ? jsonSchema(schema, 'output', shared) : {};
    const content = { [contentType]: { schema: body }, ...Object.fromEntries(alsoAs.map((t) => [t, { schema: {} }])) };
    // 204 and 304 carry no body.
    responses[status] = status === '204' || status === '304' ? { description } : { description, content };
  }
  const ref = { $ref: '#/components/schemas/Error' };
  if (params.length || inputs.get('json'))
    responses['400'] ??= { description: 'Invalid input', content: { 'application/json': { schema: ref } } };
  const entry = declaredEntry(method, path);
  const roles = entry?.access.kind === 'roles' ? Object.keys(entry.access.roles) : undefined;
  const error = (description: string) => ({ description, content: { 'application/json': { schema: ref } } });
  if (roles) {
    responses['401'] ??= error('No session');
    responses['403'] ??= error('The role may not do this');
  }
  // Where the answers below happen for every route: an id in the path that names nothing, the
  // per-client limit (server/limits/rate-limit.ts) and a database outage (server/db/outage.ts).
  if (pathNames.length) responses['404'] ??= error('Nothing has this identifier');
  responses['429'] ??= error('Too many requests from this client; see Retry-After');
  if (!NO_DATABASE.has(path)) responses['503'] ??= error('The database is unavailable; see Retry-After');
  return {
    path: openPath,
    op: {
      tags: [doc?.tag ?? path.split('/')[path.startsWith('/api/') ? 2 : 1]],
      summary: doc?.summary ?? 'Undocumented',
      ...(doc?.description ? { description: doc.description } : {}),
      operationId: `${method.toLowerCase()}${openPath.replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : ''))}`,
      parameters: params,
      ...(inputs.get('json')
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(inputs.get('json')!, 'input', shared) } } } }
        : {}),
      responses,
      // Public operations say so (`security: []`); the others need the session cookie.
      ...(roles ? { security: [{ session: [] }], 'x-roles': roles, 'x-action': entry!.action } : { security: [] }),
      ...(doc ? {} : { 'x-undocumented': true }),
    },
  };
}

/** The OpenAPI 3.1 description of the mounted routes under /api (and /tiles). */
export function buildOpenApi(routes: readonly MountedRoute[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  /** Definitions that recursive schemas refer to. */
  const shared: Record<string, JsonSchema> = {};
  for (const r of describedRoutes(routes)) {
    const { path, op } = operation(r.method, r.path, r.handlers, routeDoc(r.method, r.path), shared);
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Jardem API',
      version,
      description:
        "The HTTP API of Jardem, the GIS monitoring and coordination system of a city's 109 centre. JSON everywhere; errors are " +
        '`{"error": {"code", "message", "details"}}`. Sign in with POST /api/auth/login: the session cookie then goes with every request. ' +
        'Open standards live beside it: OGC API – Features at /ogc (with its own description at /ogc/api).',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: { Error: errorSchema, ...shared },
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } },
    },
  };
}
