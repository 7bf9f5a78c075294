import type { z } from 'zod';

/**
 * What the API description knows about each route. Two sources, so that the description cannot
 * drift from the code:
 * - the zod schemas that validate a request, attached to the validator middleware by
 *   server/validate.ts (`validQuery`, `validParam`, `validJson`) and found by walking the app's
 *   routes;
 * - a short human description per route (`describeRoute`), written beside the route or in
 *   server/openapi/api-routes.ts.
 */

export type InputTarget = 'query' | 'param' | 'json';

const SCHEMA = Symbol.for('jardem.openapi.schema');

/** Marks a validator middleware with the schema it checks; returns the same middleware. */
export function withSchema<M extends object>(middleware: M, target: InputTarget, schema: z.ZodType): M {
  Object.defineProperty(middleware, SCHEMA, { value: { target, schema }, enumerable: false });
  return middleware;
}

/** The schema a handler validates, if it is a marked validator. */
export function schemaOf(handler: unknown): { target: InputTarget; schema: z.ZodType } | undefined {
  return (handler as Record<symbol, { target: InputTarget; schema: z.ZodType }> | null)?.[SCHEMA];
}

export interface ResponseDoc {
  description: string;
  /** Media type of the body; `application/json` when left out. */
  contentType?: string;
  /** The body's schema: the same zod definition the client reads its types from (server/contract). */
  schema?: z.ZodType;
  /** Further media types the same answer may come in (binary ones: no schema), e.g. a sprite's PNG. */
  alsoAs?: string[];
}

export interface RouteDoc {
  summary: string;
  description?: string;
  /** Grouping in the docs page; by default the path segment after /api. */
  tag?: string;
  /** Responses by status; 200 "OK" when left out. Validation errors (400) are added by themselves. */
  responses?: Record<string, string | ResponseDoc>;
  /** Path as OpenAPI writes it, when Hono's differs beyond `:name` (e.g. a regular expression). */
  openapiPath?: string;
  /** Named path parameters the route reads without a validator. */
  pathParams?: Record<string, string>;
}

const docs = new Map<string, RouteDoc>();
const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

/**
 * Describes a route for /api/openapi.json. `path` is the full path as the app mounts it, in
 * Hono's syntax (e.g. `/api/incidents/:id`).
 */
export function describeRoute(method: string, path: string, doc: RouteDoc): void {
  docs.set(key(method, path), doc);
}

export function routeDoc(method: string, path: string): RouteDoc | undefined {
  return docs.get(key(method, path));
}
