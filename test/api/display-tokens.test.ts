import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

const t = testApp();
const json = (body: unknown, cookie?: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
  body: JSON.stringify(body),
});

describe('display tokens for the wall', () => {
  it('lets an admin issue a token that opens a display session, and revoke it', async () => {
    const admin = await t.login('admin');
    const issued = await t.json('/api/admin/display-tokens', json({ name: 'Control room wall' }, admin));
    expect(issued.status).toBe(201);
    expect(issued.body.url).toBe(`/wall?token=${issued.body.token}`);

    const opened = await t.request('/api/auth/display', json({ token: issued.body.token }));
    expect(opened.status).toBe(200);
    expect((await opened.json()).user.role).toBe('display');
    const cookie = opened.headers.get('set-cookie')!.split(';')[0];
    expect((await t.json('/api/auth/me', { headers: { cookie } })).body.user.role).toBe('display');

    const stored = await t.pool.query('SELECT count(*)::int AS n FROM display_tokens WHERE token_hash = $1', [issued.body.token]);
    expect(stored.rows[0].n).toBe(0);

    const list = await t.json('/api/admin/display-tokens', { headers: { cookie: admin } });
    expect(list.body.items.find((x: any) => x.id === issued.body.id).last_used_at).toBeTruthy();

    const revoked = await t.request(`/api/admin/display-tokens/${issued.body.id}`, { method: 'DELETE', headers: { cookie: admin } });
    expect(revoked.status).toBe(200);
    expect((await t.json('/api/auth/me', { headers: { cookie } })).body.user).toBeNull();
    const again = await t.json('/api/auth/display', json({ token: issued.body.token }));
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('invalid_token');
  });

  it('is for admins only', async () => {
    expect((await t.request('/api/admin/display-tokens')).status).toBe(401);
    const official = await t.login('official');
    expect((await t.request('/api/admin/display-tokens', json({ name: 'x' }, official))).status).toBe(403);
    const admin = await t.login('admin');
    expect((await t.request('/api/admin/display-tokens/999999', { method: 'DELETE', headers: { cookie: admin } })).status).toBe(404);
    expect((await t.request('/api/admin/display-tokens', json({ name: '' }, admin))).status).toBe(400);
  });
});
