import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

const t = testApp();
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  t.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
/** A sign-in as the browser makes it: the cookie and the CSRF token from the answer. */
async function signIn(login: string, password = 'jardem-demo', headers: Record<string, string> = {}) {
  const res = await post('/api/auth/login', { login, password }, headers);
  expect(res.status).toBe(200);
  const body = await res.json();
  return {
    cookie: res.headers.get('set-cookie')!.split(';')[0],
    setCookie: res.headers.get('set-cookie')!,
    csrf: body.csrfToken as string,
  };
}

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
    const { cookie, setCookie, csrf } = await signIn('supervisor');
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i);
    expect(csrf).toMatch(/^[\w-]{20,}$/);
    const me = await t.json('/api/auth/me', { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ login: 'supervisor', role: 'supervisor' });
    expect(me.body.user.districtIds.length).toBeGreaterThan(0);
    expect(me.body.csrfToken).toBe(csrf);
    expect((await post('/api/auth/logout', {}, { cookie, 'x-csrf-token': csrf })).status).toBe(200);
    expect((await t.json('/api/auth/me', { headers: { cookie } })).body).toEqual({ user: null });
  });

  it('marks the cookie Secure behind a trusted TLS proxy, and only then by X-Forwarded-Proto', async () => {
    const proxied = testApp({ JARDEM_TRUST_PROXY: 'true' });
    const res = await proxied.app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ login: 'official', password: 'jardem-demo' }),
    });
    expect(res.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
    const { setCookie } = await signIn('official', 'jardem-demo', { 'x-forwarded-proto': 'https' });
    expect(setCookie).not.toMatch(/;\s*Secure/i);
  });

  it('stores only a hash of the session token', async () => {
    const cookie = await t.login('official');
    const token = decodeURIComponent(cookie.split('=')[1]);
    const { rows } = await t.pool.query('SELECT count(*)::int AS n FROM sessions WHERE token_hash = $1', [token]);
    expect(rows[0].n).toBe(0);
  });

  it('ends every session of a user with logout-all', async () => {
    const a = await signIn('official');
    const b = await signIn('official');
    const res = await post('/api/auth/logout-all', {}, { cookie: a.cookie, 'x-csrf-token': a.csrf });
    expect(res.status).toBe(200);
    expect((await res.json()).ended).toBeGreaterThanOrEqual(2);
    for (const s of [a, b]) expect((await t.json('/api/auth/me', { headers: { cookie: s.cookie } })).body.user).toBeNull();
    expect((await post('/api/auth/logout-all', {})).status).toBe(401);
  });
});

describe('CSRF protection of cookie-authenticated writes', () => {
  it('refuses a write with the session cookie but without the session token', async () => {
    const { cookie, csrf } = await signIn('dispatcher');
    const other = await signIn('dispatcher');
    const body = { name: 'x' };
    const attempts: Record<string, string>[] = [
      { cookie },
      { cookie, 'x-csrf-token': 'forged-token-forged-token' },
      { cookie, 'x-csrf-token': other.csrf },
    ];
    for (const headers of attempts) {
      const res = await post('/api/incidents/group', body, headers);
      expect(res.status).toBe(403);
      expect((await res.json()).error.code).toBe('csrf');
    }
    // With the token the request reaches validation.
    expect((await post('/api/incidents/group', body, { cookie, 'x-csrf-token': csrf })).status).toBe(400);
  });

  it('refuses cross-site writes by Origin and Sec-Fetch-Site, even signing in', async () => {
    const { cookie, csrf } = await signIn('dispatcher');
    const h = { cookie, 'x-csrf-token': csrf };
    const evil = await post('/api/incidents/group', {}, { ...h, origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect((await post('/api/incidents/group', {}, { ...h, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post('/api/incidents/group', {}, { ...h, origin: 'http://localhost', 'sec-fetch-site': 'same-origin' })).status).toBe(
      400,
    );
    const login = await post('/api/auth/login', { login: 'dispatcher', password: 'jardem-demo' }, { origin: 'https://evil.example' });
    expect(login.status).toBe(403);
  });

  it('trusts X-Forwarded-Host only with JARDEM_TRUST_PROXY', async () => {
    const { cookie, csrf } = await signIn('dispatcher');
    const forged = { cookie, 'x-csrf-token': csrf, origin: 'https://evil.example', 'x-forwarded-host': 'evil.example' };
    const res = await post('/api/incidents/group', {}, forged);
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('csrf');
    // Behind a trusted proxy the forwarded host is this site's name.
    const proxied = testApp({ JARDEM_TRUST_PROXY: 'true' });
    const p = await proxied.login('dispatcher');
    const viaProxy = await proxied.request('/api/incidents/group', {
      method: 'POST',
      headers: { cookie: p, 'content-type': 'application/json', origin: 'https://109.example.kz', 'x-forwarded-host': '109.example.kz' },
      body: '{}',
    });
    expect(viaProxy.status).toBe(400);
  });

  it('leaves reads and cookie-less writes alone', async () => {
    const { cookie } = await signIn('dispatcher');
    expect((await t.request('/api/control', { headers: { cookie } })).status).toBe(200);
    expect((await post('/api/feedback/unknown-token-unknown-token', { rating: 5 })).status).toBe(404);
  });
});

describe('sign-in throttling', () => {
  it('locks a login after repeated failures with 429 and Retry-After, even for the right password', async () => {
    const admin = await t.login('admin');
    const created = await t.json('/api/admin/users', {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'throttled-user', name: 'Throttled', role: 'official', password: 'correct horse 1' }),
    });
    expect(created.status).toBe(201);
    const limit = t.config.JARDEM_LOGIN_MAX_FAILURES;
    for (let i = 0; i < limit; i++) {
      expect((await post('/api/auth/login', { login: 'throttled-user', password: `wrong-${i}` })).status).toBe(401);
    }
    const locked = await post('/api/auth/login', { login: 'Throttled-User', password: 'correct horse 1' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(60);
    expect((await locked.json()).error.code).toBe('too_many_attempts');
    // A password reset by an admin lifts the lock.
    const reset = await t.request(`/api/admin/users/${created.body.id}/password`, {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'battery staple 2' }),
    });
    expect(reset.status).toBe(200);
    expect((await post('/api/auth/login', { login: 'throttled-user', password: 'battery staple 2' })).status).toBe(200);
  });

  it('locks a client address that tries many logins', async () => {
    const proxied = testApp({ JARDEM_TRUST_PROXY: 'true', JARDEM_LOGIN_MAX_FAILURES_PER_ADDRESS: '3' });
    const from = (address: string, login: string, password: string) =>
      proxied.request('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.9, ${address}` },
        body: JSON.stringify({ login, password }),
      });
    for (const login of ['guess-a', 'guess-b', 'guess-c']) expect((await from('198.51.100.7', login, 'nope')).status).toBe(401);
    const blocked = await from('198.51.100.7', 'official', 'jardem-demo');
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBeTruthy();
    // Another address is not affected.
    expect((await from('198.51.100.8', 'official', 'jardem-demo')).status).toBe(200);
    await t.pool.query("DELETE FROM sign_in_attempts WHERE address LIKE '198.51.100.%'");
  });
});
