import { describe, expect, it } from 'vitest';
import { prepareDatabase } from '../../server/boot.ts';
import { DEMO_PASSWORD } from '../../server/users.ts';
import { testApp } from '../helpers/app.ts';

/**
 * Finding 7 of issue 15: demo accounts (created by demo seeding, password jardem-demo) stop
 * working when demo mode is off; secure cookies and HSTS follow an https JARDEM_PUBLIC_URL.
 */
const demoOn = testApp();
const demoOff = testApp({ JARDEM_DEMO: 'false' });

const signIn = (app: typeof demoOn, login: string, password = DEMO_PASSWORD) =>
  app.app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });

describe('demo accounts', () => {
  it('demo seeding marks the accounts it creates', async () => {
    const { rows } = await demoOn.pool.query<{ login: string; is_demo: boolean }>(
      `SELECT login, is_demo FROM users WHERE login IN ('admin', 'dispatcher', 'supervisor', 'executor', 'official', 'display') ORDER BY login`,
    );
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.is_demo)).toBe(true);
  });

  it('sign in with demo mode on, refused (as a wrong password) with demo mode off', async () => {
    expect((await signIn(demoOn, 'dispatcher')).status).toBe(200);
    const off = await signIn(demoOff, 'dispatcher');
    expect(off.status).toBe(401);
    expect((await off.json()).error.code).toBe('invalid_credentials');
  });

  it('an account an admin created still signs in with demo mode off', async () => {
    const admin = await demoOn.login('admin');
    const created = await demoOn.json('/api/admin/users', {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'real-official', name: 'Real', role: 'official', password: 'a real password 1' }),
    });
    expect(created.status).toBe(201);
    expect((await signIn(demoOff, 'real-official', 'a real password 1')).status).toBe(200);
  });

  it('a start with demo off ends the demo accounts’ sessions and marks older demo accounts by their password', async () => {
    const cookie = await demoOn.login('official');
    expect((await demoOff.json('/api/auth/me', { headers: { cookie } })).body.user?.login).toBe('official');
    // An account seeded before the flag existed: the demo login with the demo password.
    await demoOn.pool.query(`UPDATE users SET is_demo = false WHERE login = 'official'`);
    await prepareDatabase(demoOff.pool, { city: 'taraz', demo: false, demoCount: 0 });
    const { rows } = await demoOn.pool.query(`SELECT is_demo FROM users WHERE login = 'official'`);
    expect(rows[0].is_demo).toBe(true);
    expect((await demoOff.json('/api/auth/me', { headers: { cookie } })).body.user).toBeNull();
    expect((await signIn(demoOff, 'official')).status).toBe(401);
    expect((await signIn(demoOn, 'official')).status).toBe(200);
  });

  it('a password set by an admin makes a demo account a real one', async () => {
    const admin = await demoOn.login('admin');
    const { rows } = await demoOn.pool.query(`SELECT id FROM users WHERE login = 'display'`);
    const reset = await demoOn.request(`/api/admin/users/${rows[0].id}/password`, {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'a real password 2' }),
    });
    expect(reset.status).toBe(200);
    expect((await signIn(demoOff, 'display', 'a real password 2')).status).toBe(200);
    // Put the demo account back as the other test files expect it.
    await demoOn.pool.query(`UPDATE users SET is_demo = true WHERE login = 'display'`);
    const { upsertUser } = await import('../../server/users.ts');
    await upsertUser(demoOn.pool, { login: 'display', name: 'Видеостена', role: 'display', password: DEMO_PASSWORD, isDemo: true }, true);
  });
});

describe('an https public URL', () => {
  const https = testApp({ JARDEM_PUBLIC_URL: 'https://109.example.kz' });

  it('gives Secure cookies and HSTS', async () => {
    const res = await signIn(https, 'official');
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('and an http one neither', async () => {
    const res = await signIn(demoOn, 'official');
    expect(res.headers.get('set-cookie')).not.toMatch(/;\s*Secure/i);
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });
});
