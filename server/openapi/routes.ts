import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import './api-routes.ts';
import { buildOpenApi, type MountedRoute } from './document.ts';
import { docsPage } from './docs-page.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * GET /api/openapi.json (OpenAPI 3.1, built from the mounted routes and their zod schemas) and
 * GET /api/docs (a page that renders it). `routes` is read on the first request, when the whole
 * app has been assembled.
 */
export function openapiRoutes(routes: () => readonly MountedRoute[]) {
  let doc: ReturnType<typeof buildOpenApi> | undefined;
  return new Hono<AppEnv>()
    .get('/openapi.json', (c) => {
      doc ??= buildOpenApi(routes(), VERSION);
      c.header('Cache-Control', 'no-cache');
      return c.json(doc);
    })
    .get('/docs', (c) => c.html(docsPage('/api/openapi.json', 'Jardem API')));
}
