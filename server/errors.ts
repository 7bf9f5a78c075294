import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTPException } from 'hono/http-exception';
import type { z } from 'zod';
import { isDatabaseOutage, OUTAGE_RETRY_AFTER_S } from './db/outage.ts';
import { log } from './log.ts';
import { renderOpen311Error } from './open311/format.ts';

export interface ErrorDetail {
  /** The parameter or field at fault, e.g. "bbox" or "location.coordinates". */
  path?: string;
  message: string;
  [key: string]: unknown;
}

/** An error meant for the client: its code, message and details reach the JSON error body. */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details: ErrorDetail[] = []) => new AppError(400, 'bad_request', message, details);
export const unauthorized = (message = 'Sign in first.') => new AppError(401, 'unauthorized', message);
export const forbidden = (message = 'Your role may not do this.') => new AppError(403, 'forbidden', message);
export const notFound = (what = 'Resource') => new AppError(404, 'not_found', `${what} not found.`);
export const conflict = (message: string, details: ErrorDetail[] = []) => new AppError(409, 'conflict', message, details);

/** Turns a zod failure into a 400 whose message names every parameter at fault. */
export function validationError(error: z.ZodError, where: string): AppError {
  const details = error.issues.map((i) => ({ path: i.path.join('.') || where, message: i.message }));
  const names = [...new Set(details.map((d) => d.path))].join(', ');
  return new AppError(400, 'invalid_parameter', `Invalid ${where}: ${names}.`, details);
}

/** The message of every outage answer (the JSON API's and Open311's). */
export const DATABASE_UNAVAILABLE = 'The database is unavailable; try again shortly.';

/**
 * The JSON error body. Under /ogc it also carries the OGC API exception's `code` and
 * `description` (OGC API – Features, exception.yaml), which OGC clients and checkers read; the
 * `error` object stays, so every path keeps the one shape DESIGN.md fixes.
 */
export function errorBody(path: string, code: string, message: string, details: ErrorDetail[] = []) {
  const error = { error: { code, message, details } };
  return path === '/ogc' || path.startsWith('/ogc/') ? { code, description: message, ...error } : error;
}

/** An error as HTTP sees it: the one table every surface (JSON API, OGC, Open311) answers from. */
export interface HttpError {
  status: ContentfulStatusCode;
  code: string;
  message: string;
  details: ErrorDetail[];
  headers: Record<string, string>;
}

/** Maps any thrown value to its status, code, message and headers; logs what the client is not told. */
export function httpErrorOf(err: unknown, c: Context): HttpError {
  if (err instanceof AppError)
    return { status: err.status, code: err.code, message: err.message, details: err.details, headers: err.headers };
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : 'http_error';
    return { status, code, message: err.message || 'Request rejected.', details: [], headers: {} };
  }
  if (isDatabaseOutage(err)) {
    log.warn({ err: (err as Error).message, path: c.req.path }, 'database unavailable');
    const headers = { 'Retry-After': String(OUTAGE_RETRY_AFTER_S) };
    return { status: 503, code: 'database_unavailable', message: DATABASE_UNAVAILABLE, details: [], headers };
  }
  log.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error');
  return { status: 500, code: 'internal', message: 'Internal error; it has been logged.', details: [], headers: {} };
}

/**
 * The one place where errors become HTTP responses: `{ error: { code, message, details } }`, and
 * under /open311 GeoReport v2's own list `[{code, description}]` (or `<errors>`) in the format
 * the path asks for, with the same status and headers.
 */
export function errorResponse(err: unknown, c: Context): Response {
  const e = httpErrorOf(err, c);
  if (c.req.path.startsWith('/open311/')) {
    const res = renderOpen311Error(c.req.path, e);
    for (const [k, v] of Object.entries(e.headers)) res.headers.set(k, v);
    return res;
  }
  for (const [k, v] of Object.entries(e.headers)) c.header(k, v);
  return c.json(errorBody(c.req.path, e.code, e.message, e.details), e.status);
}
