import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

const t = testApp();
const post = (path: string, body: unknown, cookie?: string) =>
  t.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });

describe('sessions', () => {
  it('rejects a wrong password and an unknown login alike', async () => {
    const wrong = await post('/api/auth/login', { login: 'admin', password: 'nope' });
    const unknown = await post('/api/auth/login', { login: 'nobody', password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect((await wrong.json()).error.code).toBe('invalid_credentials');
  });

  it('validates the body', async () => {
    const res = await post('/api/auth/login', { login: 'admin' });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.details.map((d: any) => d.path)).toContain('password');
    const broken = await t.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"login":',
    });
    expect(broken.status).toBe(400);
  });

  it('signs in with an HttpOnly SameSite cookie, knows the user, and signs out', async () => {
    const res = await post('/api/auth/login', { login: 'supervisor', password: 'jardem-demo' });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const cookie = setCookie.split(';')[0];
    const me = await t.json('/api/auth/me', { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ login: 'supervisor', role: 'supervisor' });
    expect(me.body.user.districtIds.length).toBeGreaterThan(0);
    expect((await post('/api/auth/logout', {}, cookie)).status).toBe(200);
    expect((await t.json('/api/auth/me', { headers: { cookie } })).body).toEqual({ user: null });
  });

  it('stores only a hash of the session token', async () => {
    const cookie = await t.login('official');
    const token = decodeURIComponent(cookie.split('=')[1]);
    const { rows } = await t.pool.query('SELECT count(*)::int AS n FROM sessions WHERE token_hash = $1', [token]);
    expect(rows[0].n).toBe(0);
  });
});
