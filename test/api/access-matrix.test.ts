import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { enforceAccess } from '../../server/auth/access.ts';
import { ACCESS_MATRIX, declaredEntry, findEntry, scopeFor } from '../../server/auth/matrix.ts';
import type { AppEnv } from '../../server/context.ts';
import { ROLES, type Role } from '../../server/domain/roles.ts';
import { errorResponse } from '../../server/errors.ts';
import { testApp } from '../helpers/app.ts';

const t = testApp();

/** A concrete path for a mounted route: parameters get values that pass or fail validation, never 401/403 by themselves. */
function concrete(path: string): string {
  return path
    .replace(/:z\/:x\/:y\{[^}]*\}/, '12/2900/1500.mvt')
    .replace(':id', '999999999')
    .replace(':number', '109-2026-999999')
    .replace(':token', 'no-such-token-no-such-token')
    .replace(':collectionId', 'incidents')
    .replace(':featureId', '999999999')
    .replace(':file', 'requests.json')
    .replace(/:range\{[^}]*\}/, '0-255.pbf')
    .replace(/:sprite\{[^}]*\}/, 'sprite.json')
    .replace(/:[A-Za-z0-9_]+(\{[^}]*\})?/g, 'x');
}

/** The routes the app mounts with a handler of their own (middleware and the client's catch-all left out). */
function mountedRoutes() {
  const seen = new Set<string>();
  return t.app.routes.filter((r) => {
    const key = `${r.method} ${r.path}`;
    if (r.method === 'ALL' || r.path.includes('*') || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

describe('the access matrix', () => {
  it('declares every mounted route, and every declared route is mounted', () => {
    const routes = mountedRoutes();
    expect(routes.length).toBeGreaterThan(50);
    const missing = routes.filter((r) => !declaredEntry(r.method, r.path)).map((r) => `${r.method} ${r.path}`);
    // A new route needs a line in server/auth/matrix.ts.
    expect(missing).toEqual([]);
    // At run time a request to each route finds that same declaration.
    const unmatched = routes.filter((r) => findEntry(r.method, concrete(r.path)) !== declaredEntry(r.method, r.path));
    expect(unmatched.map((r) => `${r.method} ${r.path}`)).toEqual([]);
    const stale = ACCESS_MATRIX.filter((e) => !e.path.endsWith('*') && !routes.some((r) => r.method === e.method && r.path === e.path));
    expect(stale.map((e) => `${e.method} ${e.path}`)).toEqual([]);
  });

  it('answers every route × every role (and nobody) exactly as declared', { timeout: 300_000 }, async () => {
    const cookies = new Map<Role, string>();
    for (const role of ROLES) cookies.set(role, await t.login(role));
    const wrong: string[] = [];
    let checked = 0;
    for (const route of mountedRoutes()) {
      const entry = declaredEntry(route.method, route.path)!;
      const path = concrete(route.path);
      for (const role of [null, ...ROLES] as (Role | null)[]) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (role) headers.cookie = cookies.get(role)!;
        const ctl = new AbortController();
        const res = await t.request(path, {
          method: route.method,
          headers,
          signal: ctl.signal,
          ...(route.method === 'GET' ? {} : { body: '{}' }),
        });
        await res.body?.cancel();
        ctl.abort();
        const allowed = entry.access.kind !== 'roles' || Boolean(scopeFor(entry, role));
        const expected = allowed ? 'allowed' : role ? '403' : '401';
        const got = res.status === 401 || res.status === 403 ? String(res.status) : 'allowed';
        if (got !== expected) wrong.push(`${route.method} ${route.path} as ${role ?? 'nobody'}: expected ${expected}, got ${res.status}`);
        checked++;
        // Signing out ends the session the walk uses: sign in again.
        if (role && route.path.startsWith('/api/auth/logout')) cookies.set(role, await t.login(role));
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(350);
  });

  it('refuses, at run time, a mounted route the matrix does not declare', async () => {
    const app = new Hono<AppEnv>();
    app.onError(errorResponse);
    app.use(
      '*',
      enforceAccess(() => app.routes),
    );
    app.get('/api/undeclared', (c) => c.json({ ok: true }));
    app.get('/api/health', (c) => c.json({ ok: true }));
    const res = await app.request('/api/undeclared');
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('forbidden');
    expect((await app.request('/api/health')).status).toBe(200);
    expect((await app.request('/api/nothing-here')).status).toBe(404);
  });

  it('lets messenger webhooks in without a session (each checks its own secret), and replies only to staff', () => {
    expect(declaredEntry('POST', '/api/channels/telegram/webhook')?.access.kind).toBe('webhook');
    expect(declaredEntry('POST', '/api/channels/whatsapp/webhook')?.access.kind).toBe('webhook');
    expect(declaredEntry('POST', '/api/channels/incidents/:id/reply')?.access).toEqual({
      kind: 'roles',
      roles: { admin: 'all', dispatcher: 'all', supervisor: 'districts' },
    });
  });
});

describe('scopes', () => {
  /** An open appeal inside or outside a user's districts / service. */
  async function appeal(where: string, values: unknown[]) {
    const { rows } = await t.pool.query<{ id: number; version: number; status: string }>(
      `SELECT id, version, status FROM incidents WHERE is_open AND parent_id IS NULL AND ${where} ORDER BY id LIMIT 1`,
      values,
    );
    expect(rows[0], where).toBeDefined();
    return rows[0];
  }
  const scopeOf = async (login: string) =>
    (
      await t.pool.query<{ id: number; district_ids: number[]; service_id: number | null }>(
        'SELECT id, district_ids, service_id FROM users WHERE login = $1',
        [login],
      )
    ).rows[0];
  const transition = (cookie: string, id: number, body: unknown) =>
    t.json(`/api/incidents/${id}/transitions`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('refuses a supervisor outside their districts and lets them act inside', async () => {
    const sup = await scopeOf('supervisor');
    const cookie = await t.login('supervisor');
    const outside = await appeal('NOT (district_id = ANY($1::int[]))', [sup.district_ids]);
    const res = await transition(cookie, outside.id, { to: 'closed', version: outside.version, note: 'x' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/outside your districts/);
    const escalate = await t.json(`/api/incidents/${outside.id}/escalate`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ version: outside.version, note: 'x' }),
    });
    expect(escalate.status).toBe(403);
    const inside = await appeal('district_id = ANY($1::int[])', [sup.district_ids]);
    const detail = await t.json(`/api/incidents/${inside.id}`, { headers: { cookie } });
    expect(detail.body.allowed.length).toBeGreaterThan(0);
    expect((await t.json(`/api/incidents/${outside.id}`, { headers: { cookie } })).body.allowed).toEqual([]);
    // The control view lists only their districts.
    const control = await t.json('/api/control?limit=500', { headers: { cookie } });
    const codes = (
      await t.pool.query<{ code: string }>('SELECT code FROM districts WHERE id = ANY($1::int[])', [sup.district_ids])
    ).rows.map((r) => r.code);
    expect(control.body.items.length).toBeGreaterThan(0);
    for (const item of control.body.items) expect(codes).toContain(item.district);
  });

  it("refuses an executor on another service's appeal, and shows them reporters only on their own", async () => {
    const exe = await scopeOf('executor');
    const cookie = await t.login('executor');
    const other = await appeal('service_id IS DISTINCT FROM $1', [exe.service_id]);
    const res = await transition(cookie, other.id, { to: 'in_progress', version: other.version });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/not assigned to your service/);
    const foreign = await t.json(`/api/incidents/${other.id}`, { headers: { cookie } });
    expect(foreign.status).toBe(200);
    expect(foreign.body.reporters).toBeUndefined();
    const ownRow = await t.pool.query<{ id: number }>(
      `SELECT i.id FROM incidents i WHERE i.service_id = $1 AND EXISTS (SELECT 1 FROM incident_reporters r WHERE r.incident_id = i.id) LIMIT 1`,
      [exe.service_id],
    );
    const own = ownRow.rows[0];
    expect(own).toBeDefined();
    const before = (
      await t.pool.query('SELECT count(*)::int AS n FROM personal_data_reads WHERE user_id = $1 AND incident_id = $2', [exe.id, own.id])
    ).rows[0].n;
    const mine = await t.json(`/api/incidents/${own.id}`, { headers: { cookie } });
    expect(mine.body.reporters.length).toBeGreaterThan(0);
    const after = (
      await t.pool.query('SELECT count(*)::int AS n FROM personal_data_reads WHERE user_id = $1 AND incident_id = $2', [exe.id, own.id])
    ).rows[0].n;
    expect(after).toBe(before + 1);
  });

  it('gives officials and wall displays no personal data and no moves', async () => {
    const { rows } = await t.pool.query<{ id: number }>('SELECT incident_id AS id FROM incident_reporters WHERE name IS NOT NULL LIMIT 1');
    for (const role of ['official', 'display'] as const) {
      const cookie = await t.login(role);
      const detail = await t.json(`/api/incidents/${rows[0].id}`, { headers: { cookie } });
      expect(detail.status).toBe(200);
      expect(detail.body.reporters).toBeUndefined();
      expect(detail.body.allowed).toBeUndefined();
    }
    expect((await t.request('/api/control', { headers: { cookie: await t.login('display') } })).status).toBe(403);
  });
});
