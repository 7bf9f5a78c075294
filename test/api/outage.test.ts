import { createServer } from 'node:net';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createPool } from '../../server/db/pool.ts';

/**
 * The API while its database is not there: a pool pointed at a closed TCP port, and one pointed
 * at a Unix socket folder without a server (DATABASE_URL=postgres://…?host=/run/postgresql when
 * PostgreSQL is stopped). Every route that needs the database answers 503 with Retry-After and
 * code database_unavailable at once — never a 500 — Open311 in its own error format.
 * Runs in both projects, with each engine's app.
 */
const closedPort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });

const JSON_ROUTES: [string, string, unknown?][] = [
  ['GET', '/api/districts'],
  ['GET', '/api/incidents?status=open'],
  ['GET', '/api/incidents/1'],
  ['GET', '/api/stats/summary'],
  ['GET', '/api/meta'],
  ['POST', '/api/auth/login', { login: 'dispatcher', password: 'whatever-it-is' }],
  ['GET', '/ogc/collections/incidents/items?limit=5'],
  ['GET', '/tiles/incidents/12/2912/1508.mvt'],
];

const OPEN311_ROUTES: [string, string, 'json' | 'xml'][] = [
  ['GET', '/open311/v2/services.json', 'json'],
  ['GET', '/open311/v2/services.xml', 'xml'],
  ['GET', '/open311/v2/requests.json', 'json'],
  ['GET', '/open311/v2/requests/1.xml', 'xml'],
  ['POST', '/open311/v2/requests.json', 'json'],
];

for (const where of ['a closed TCP port', 'a missing Unix socket']) {
  describe(`the database at ${where}`, () => {
    const config = loadConfig({ JARDEM_DEMO: 'false', LOG_LEVEL: 'silent' });
    let app: ReturnType<typeof createApp>;
    let pool: ReturnType<typeof createPool>;
    const ready = (async () => {
      const url =
        where === 'a closed TCP port'
          ? `postgres://postgres:postgres@127.0.0.1:${await closedPort()}/postgres`
          : `postgres://postgres:postgres@/postgres?host=/nonexistent/jardem-${process.pid}`;
      pool = createPool(url, 4);
      app = createApp({ pool, engine: inject('engine'), config });
    })();
    afterAll(() => pool?.end());

    it.each(JSON_ROUTES)('%s %s answers 503 database_unavailable with Retry-After', async (method, path, body) => {
      await ready;
      const t0 = Date.now();
      const res = await app.request(path, {
        method,
        headers: body ? { 'content-type': 'application/json', origin: 'http://localhost' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const text = await res.text();
      const error = { code: 'database_unavailable', message: expect.stringMatching(/database is unavailable/), details: [] };
      // Under /ogc the OGC exception's code and description come with it (issue 21).
      const ogc = path.startsWith('/ogc') ? { code: error.code, description: error.message } : {};
      expect(JSON.parse(text)).toEqual({ ...ogc, error });
      // no socket path, address or driver text reaches the client
      expect(text).not.toMatch(/ENOENT|ECONNREFUSED|127\.0\.0\.1|nonexistent|PGSQL/);
      expect(Date.now() - t0).toBeLessThan(5000);
    });

    it.each(OPEN311_ROUTES)('Open311 %s %s answers 503 in its own format with Retry-After', async (method, path, format) => {
      await ready;
      const res = await app.request(path, {
        method,
        headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
        body:
          method === 'POST'
            ? new URLSearchParams({
                api_key: 'k'.repeat(32),
                service_code: 'roads.pothole',
                lat: '42.9',
                long: '71.36',
                description: 'x',
              }).toString()
            : undefined,
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const text = await res.text();
      if (format === 'json')
        expect(JSON.parse(text)).toEqual([{ code: 503, description: expect.stringMatching(/database is unavailable/) }]);
      else expect(text).toMatch(/<errors>\s*<error>\s*<code>503<\/code>\s*<description>The database is unavailable/);
      expect(text).not.toMatch(/ENOENT|ECONNREFUSED|127\.0\.0\.1|nonexistent|PGSQL/);
    });
  });
}
