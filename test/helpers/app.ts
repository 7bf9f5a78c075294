import type pg from 'pg';
import { afterAll, afterEach, beforeEach, inject } from 'vitest';
import { createApp } from '../../server/app.ts';
import { CSRF_HEADER } from '../../server/auth/csrf.ts';
import { loadConfig } from '../../server/config.ts';
import { createPool } from '../../server/db/pool.ts';
import { markOwnSessions } from '../../server/db/statements.ts';
import { DEMO_PASSWORD } from '../../server/users.ts';

/**
 * The real app on the test database of this project (PGlite or PostgreSQL). `env` adds settings
 * (e.g. a low JARDEM_RATE_LIMIT). `request` and `json` add the session's CSRF token to a write
 * whose Cookie header came from `login()`, as the browser client does.
 */
export function testApp(env: Record<string, string> = {}) {
  const pool = createPool(inject('databaseUrl'), 4);
  // As openDatabase marks the pools it opens on PostgreSQL: named statements there.
  if (inject('engine') === 'postgres') markOwnSessions(pool);
  afterAll(() => pool.end());
  const config = loadConfig({ JARDEM_DEMO: 'true', LOG_LEVEL: 'silent', ...env });
  // Wired as main.ts wires it without a replica: stale-tolerant reads on the primary's own pool.
  const app = createApp({ pool, reads: pool, engine: inject('engine'), config });
  /** CSRF token by the Cookie header value login() returned. */
  const csrf = new Map<string, string>();
  const withCsrf = (init?: RequestInit): RequestInit | undefined => {
    const method = (init?.method ?? 'GET').toUpperCase();
    if (!init?.headers || method === 'GET' || method === 'HEAD') return init;
    const headers = new Headers(init.headers);
    const token = csrf.get(headers.get('cookie') ?? '');
    if (token && !headers.has(CSRF_HEADER)) headers.set(CSRF_HEADER, token);
    return { ...init, headers };
  };
  const request = (path: string, init?: RequestInit) => app.request(path, withCsrf(init));
  const json = async <T = any>(path: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }> => {
    const res = await app.request(path, withCsrf(init));
    return { status: res.status, body: (await res.json()) as T, headers: res.headers };
  };
  /** Signs in a user (a demo user by default) and returns the Cookie header value. */
  const login = async (login: string, password = DEMO_PASSWORD) => {
    const res = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password }),
    });
    if (res.status !== 200) throw new Error(`login ${login}: ${res.status}`);
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    csrf.set(cookie, ((await res.json()) as { csrfToken: string }).csrfToken);
    return cookie;
  };
  /** The CSRF token of a Cookie header from login(). */
  const csrfToken = (cookie: string) => csrf.get(cookie);
  /** Registers a pothole complaint in the first district as `cookie`'s user (a dispatcher's); fields in `extra` override. */
  const register = async (cookie: string, description: string, extra: Record<string, unknown> = {}) => {
    const district = (await json('/api/meta')).body.districts[0];
    return json('/api/incidents', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({
        type: 'complaint',
        category: 'roads.pothole',
        channel: 'phone',
        description,
        location: { type: 'Point', coordinates: [district.lng, district.lat] },
        ...extra,
      }),
    });
  };
  return { app, pool, config, request, json, login, csrfToken, register, engine: inject('engine') };
}

/**
 * Runs each test of the file in a transaction of its own, rolled back after it: the shared test
 * database comes back as it was. Returns the transaction's client (valid inside a test).
 */
export function eachInRollback(pool: pg.Pool): () => pg.PoolClient {
  let client: pg.PoolClient;
  beforeEach(async () => {
    client = await pool.connect();
    await client.query('BEGIN');
  });
  afterEach(async () => {
    await client.query('ROLLBACK');
    client.release();
  });
  return () => client;
}
