import { describe, expect, it } from 'vitest';
import { closeExpiredResolved } from '../../server/lifecycle/housekeeping.ts';
import { testApp } from '../helpers/app.ts';
import { lifecycleKit } from '../helpers/lifecycle.ts';

const t = testApp();
const { kit, post, create, version, must, inStatus, count } = lifecycleKit(t, 2);

const detail = async (id: number, role: 'dispatcher' | 'admin' | 'supervisor' | 'executor' = 'dispatcher') =>
  (await t.json(`/api/incidents/${id}`, { headers: { cookie: kit.cookie[role] } })).body;
const tokenOf = (url: string) => url.split('/').pop()!;
const links = async (id: number) =>
  (await detail(id)).feedback_links as { url: string | null; used_at: string | null; expires_at: string }[];

describe('the whole life of an appeal, with the citizen', () => {
  it('create → assign → take → resolve → feedback by link → close', async () => {
    const a = await create({ reporter: { name: 'Айгуль Серикова', phone: '+7 701 111 22 33' }, triage: true });
    await must(a.id, 'dispatcher', { to: 'assigned', service: kit.executorService });
    await must(a.id, 'executor', { to: 'in_progress' });
    expect(await links(a.id)).toEqual([]);
    await must(a.id, 'executor', { to: 'resolved', note: 'Яма заделана, фото в отчёте' });

    // One link per reporter, shown to dispatchers (SMS is not sent by the server); only a hash is stored.
    const issued = await links(a.id);
    expect(issued).toHaveLength(1);
    expect(issued[0].url).toMatch(/^\/feedback\/[A-Za-z0-9_-]{43}$/);
    const days = (Date.parse(issued[0].expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(14.9);
    expect(days).toBeLessThanOrEqual(15);
    const token = tokenOf(issued[0].url!);
    expect(await count('SELECT count(*)::int AS n FROM incident_feedback_tokens WHERE token_hash = $1 OR nonce = $1', [token])).toBe(0);
    expect((await detail(a.id, 'supervisor')).feedback_links).toBeUndefined();
    expect((await detail(a.id, 'executor')).feedback_links).toBeUndefined();

    // What the citizen sees: no personal data.
    const view = await t.json(`/api/feedback/${token}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      number: a.number,
      status: 'resolved',
      resolution: 'fixed',
      resolution_note: 'Яма заделана, фото в отчёте',
      category: { code: 'roads.pothole' },
      can_rate: true,
      can_dispute: true,
      answered: false,
    });
    expect(JSON.stringify(view.body)).not.toMatch(/Айгуль|701 111|executor|dispatcher/);

    const rated = await post(`/api/feedback/${token}`, { rating: 4, comment: 'Спасибо, быстро' });
    expect(rated.status).toBe(200);
    const row = (await t.pool.query('SELECT rating, feedback_comment, version FROM incidents WHERE id = $1', [a.id])).rows[0];
    expect(row).toMatchObject({ rating: 4, feedback_comment: 'Спасибо, быстро' });
    const ev = (
      await t.pool.query(`SELECT note, data, actor_id FROM incident_events WHERE incident_id = $1 AND action = 'feedback'`, [a.id])
    ).rows;
    expect(ev).toEqual([{ note: 'Оценка заявителя: 4', data: { via: 'link', rating: 4 }, actor_id: null }]);

    // A link answers once.
    expect((await post(`/api/feedback/${token}`, { rating: 1 })).status).toBe(409);
    expect((await post(`/api/feedback/${token}/dispute`, { comment: 'нет' })).status).toBe(409);
    expect((await t.json(`/api/feedback/${token}`)).body).toMatchObject({ answered: true, can_rate: false, can_dispute: false });

    await must(a.id, 'supervisor', { to: 'closed' });
    const pub = await t.json(`/api/public/incidents/${a.number}?token=${token}`);
    expect(pub.body).toMatchObject({ status: 'closed', rating: 4, resolution: 'fixed', resolution_note: 'Яма заделана, фото в отчёте' });
  });

  it('a dispute through the link reopens the appeal, ends the other links, and a new resolution issues new ones', async () => {
    const parent = await create({ reporter: { name: 'Первый', phone: '+7 702 000 00 01' }, triage: true });
    const child = await create({ reporter: { name: 'Второй', phone: '+7 702 000 00 02' } });
    const same = await create({ reporter: { name: 'Первый снова', phone: '+7 702 000 00 01' } });
    for (const c of [child, same]) {
      const m = await post(`/api/incidents/${c.id}/merge`, { into: parent.id, version: 1 }, kit.cookie.dispatcher);
      expect(m.status).toBe(200);
    }
    await must(parent.id, 'dispatcher', { to: 'assigned', service: kit.executorService });
    await must(parent.id, 'executor', { to: 'in_progress' });
    await must(parent.id, 'executor', { to: 'resolved', note: 'Сделано' });
    // Three calls, two people: one link each.
    const issued = await links(parent.id);
    expect(issued).toHaveLength(2);

    const [first, second] = issued.map((l) => tokenOf(l.url!));
    const disputed = await post(`/api/feedback/${first}/dispute`, { comment: 'Ничего не сделано', rating: 1 });
    expect(disputed.status).toBe(200);
    const row = (await t.pool.query('SELECT status, resolved_at, resolution, rating FROM incidents WHERE id = $1', [parent.id])).rows[0];
    expect(row).toEqual({ status: 'reopened', resolved_at: null, resolution: null, rating: 1 });
    const ev = (
      await t.pool.query(
        `SELECT from_status, to_status, actor_id, note FROM incident_events WHERE incident_id = $1 AND action = 'transition' ORDER BY id DESC LIMIT 1`,
        [parent.id],
      )
    ).rows[0];
    expect(ev).toEqual({ from_status: 'resolved', to_status: 'reopened', actor_id: null, note: 'Заявитель оспорил решение' });
    expect(await count('SELECT count(*)::int AS n FROM incident_feedback WHERE incident_id = $1 AND disputed', [parent.id])).toBe(1);
    // The other reporter's link has ended with the question it asked.
    expect((await post(`/api/feedback/${second}`, { rating: 5 })).status).toBe(410);
    expect((await t.json(`/api/feedback/${second}`)).status).toBe(410);

    await must(parent.id, 'executor', { to: 'in_progress' });
    await must(parent.id, 'executor', { to: 'resolved', note: 'Переделано' });
    const again = await links(parent.id);
    expect(again.filter((l) => !l.used_at && Date.parse(l.expires_at) > Date.now())).toHaveLength(2);
  });

  it('takes ratings by phone from dispatchers: the appeal keeps the rounded mean', async () => {
    const a = await inStatus('resolved');
    const r1 = await post(`/api/incidents/${a.id}/feedback`, { rating: 5 }, kit.cookie.dispatcher);
    expect(r1.status).toBe(200);
    const r2 = await post(`/api/incidents/${a.id}/feedback`, { rating: 2, comment: 'Позвонил ещё раз' }, kit.cookie.admin);
    // The appeal's rating is the rounded mean of the ratings given.
    expect(r2.body).toMatchObject({ id: a.id, rating: 4 });
    expect(r2.body.version).toBe(r1.body.version + 1);
    expect(
      (
        await t.pool.query(
          `SELECT count(*)::int AS n FROM incident_feedback WHERE incident_id = $1 AND via = 'phone' AND actor_id IS NOT NULL`,
          [a.id],
        )
      ).rows[0].n,
    ).toBe(2);
    expect((await post(`/api/incidents/${a.id}/feedback`, { rating: 6 }, kit.cookie.dispatcher)).status).toBe(400);
    expect((await post(`/api/incidents/${a.id}/feedback`, { rating: 3 }, kit.cookie.executor)).status).toBe(403);
    expect((await post(`/api/incidents/${a.id}/feedback`, { rating: 3 })).status).toBe(401);

    const fresh = await create();
    const early = await post(`/api/incidents/${fresh.id}/feedback`, { rating: 3 }, kit.cookie.dispatcher);
    expect(early.status).toBe(409);
    expect((await post('/api/incidents/999999999/feedback', { rating: 3 }, kit.cookie.dispatcher)).status).toBe(404);
  });

  it('answers 404 for links it never issued and 410 for links that expired', async () => {
    expect((await t.json('/api/feedback/not-a-token')).status).toBe(404);
    expect((await t.json(`/api/feedback/${'A'.repeat(43)}`)).status).toBe(404);
    expect((await post(`/api/feedback/${'A'.repeat(43)}`, { rating: 5 })).status).toBe(404);
    const a = await inStatus('resolved');
    const token = tokenOf((await links(a.id))[0].url!);
    expect((await post(`/api/feedback/${token}`, { rating: 0 })).status).toBe(400);
    expect((await post(`/api/feedback/${token}/dispute`, {})).status).toBe(400);
    await t.pool.query(`UPDATE incident_feedback_tokens SET expires_at = now() - interval '1 minute' WHERE incident_id = $1`, [a.id]);
    const gone = await post(`/api/feedback/${token}`, { rating: 5 });
    expect(gone.status).toBe(410);
    expect(gone.body.error.code).toBe('link_expired');
  });
});

describe('closeExpiredResolved', () => {
  it('closes resolved appeals nobody disputed within 15 days, once, with an audit row', async () => {
    const old = await inStatus('resolved');
    const recent = await inStatus('resolved');
    // Move this test's own appeal 16 days into the past.
    await t.pool.query(
      `UPDATE incidents SET created_at = created_at - interval '20 days', resolved_at = resolved_at - interval '16 days' WHERE id = $1`,
      [old.id],
    );
    const before = await version(old.id);
    expect(await closeExpiredResolved(t.pool, { ids: [old.id, recent.id] })).toBe(1);
    const row = (await t.pool.query('SELECT status, closed_at, version FROM incidents WHERE id = $1', [old.id])).rows[0];
    expect(row.status).toBe('closed');
    expect(row.closed_at).not.toBeNull();
    expect(row.version).toBe(before + 1);
    const ev = (
      await t.pool.query(
        `SELECT actor_id, from_status, to_status, data FROM incident_events WHERE incident_id = $1 ORDER BY id DESC LIMIT 1`,
        [old.id],
      )
    ).rows[0];
    expect(ev).toEqual({ actor_id: null, from_status: 'resolved', to_status: 'closed', data: { action: 'expire' } });
    expect((await t.pool.query('SELECT status FROM incidents WHERE id = $1', [recent.id])).rows[0].status).toBe('resolved');
    expect(await closeExpiredResolved(t.pool, { ids: [old.id, recent.id] })).toBe(0);
  });
});

describe('GET /api/public/incidents/:number', () => {
  it('tells anyone the status, category, district and dates, without personal data or staff notes', async () => {
    const a = await create({ reporter: { name: 'Секретный Заявитель', phone: '+7 777 123 45 67' }, triage: true });
    await must(a.id, 'dispatcher', { to: 'assigned', service: kit.executorService });
    await must(a.id, 'executor', { to: 'in_progress' });
    const res = await t.json(`/api/public/incidents/${a.number}?phone4=4567`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      number: a.number,
      status: 'in_progress',
      category: { code: 'roads.pothole', name: { ru: expect.any(String) } },
      district: { code: kit.inside.code },
      created_at: a.created_at,
      due_at: a.due_at,
      resolved_at: null,
      resolution_note: null,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/Секретный|777 123|Тест|dispatcher|executor|description/);
    expect(res.body).not.toHaveProperty('description');
    expect(res.body).not.toHaveProperty('address');
  });

  it('points a merged duplicate to its parent, 404s an unknown number and 400s a malformed one', async () => {
    const parent = await create();
    const child = await create();
    await post(`/api/incidents/${child.id}/merge`, { into: parent.id, version: 1 }, kit.cookie.dispatcher);
    expect((await t.json(`/api/public/incidents/${child.number}?phone4=0000`)).body).toMatchObject({
      status: 'rejected',
      resolution: 'duplicate',
      merged_into: parent.number,
    });
    expect((await t.json('/api/public/incidents/109-1999-999999?phone4=0000')).status).toBe(404);
    const bad = await t.json('/api/public/incidents/DROP%20TABLE');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('number');
  });
});
