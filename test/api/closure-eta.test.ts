/**
 * Verified closure and honest ETAs (issue 24, items 4 and 5), on both engines: a disputed
 * appeal goes back to the same service with the dispute first in its answer; the closure
 * figures by service and district count reopenings, proofs and confirmations exactly; every open
 * appeal carries an ETA in its detail, the list and the control view; the ETA job records the
 * estimate, settles it at resolution and publishes the accuracy per category.
 */
import { describe, expect, it } from 'vitest';
import { runEtaJob } from '../../server/lifecycle/eta-job.ts';
import { testApp } from '../helpers/app.ts';
import { lifecycleKit } from '../helpers/lifecycle.ts';

const t = testApp();
const { kit, post, create, must, inStatus } = lifecycleKit(t, 24);

const detail = async (id: number, cookie?: string) =>
  (await t.json(`/api/incidents/${id}`, cookie ? { headers: { cookie } } : undefined)).body;
const tokenOf = (url: string) => url.split('/').pop()!;
const firstLink = async (id: number) => tokenOf((await detail(id, kit.cookie.dispatcher)).feedback_links[0].url);
const dbNow = async () => ((await t.pool.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0].now as Date).toISOString();

describe('a disputed appeal', () => {
  it('goes back to the same service with the dispute on top', async () => {
    const a = await create({ reporter: { name: 'Ержан Ахметов', phone: '+7 705 222 33 44' }, triage: true });
    await must(a.id, 'dispatcher', { to: 'assigned', service: kit.executorService });
    await must(a.id, 'executor', { to: 'in_progress' });
    await must(a.id, 'executor', { to: 'resolved', note: 'Яма заделана' });
    expect((await detail(a.id, kit.cookie.executor)).dispute).toBeUndefined();

    const res = await post(`/api/feedback/${await firstLink(a.id)}/dispute`, { comment: 'Яма осталась, стало хуже', rating: 1 });
    expect(res.status).toBe(200);

    const seen = await detail(a.id, kit.cookie.executor);
    expect(seen.properties.status).toBe('reopened');
    expect(seen.properties.service).toBe(kit.executorService);
    expect(seen.dispute).toMatchObject({ via: 'feedback_link', text: 'Яма осталась, стало хуже', rating: 1 });
    expect(Date.parse(seen.dispute.at)).toBeGreaterThan(Date.parse(seen.properties.created_at));
    // the executor of that service can take it again
    expect(seen.allowed.map((m: { to: string }) => m.to)).toContain('in_progress');
    // without personal-data scope: that it was disputed, not the citizen's words
    const anon = await detail(a.id);
    expect(anon.dispute).toMatchObject({ via: 'feedback_link', text: null });
    expect(JSON.stringify(anon)).not.toContain('Яма осталась');

    // a dispute taken by staff on the phone: their note is the citizen's words
    await must(a.id, 'executor', { to: 'in_progress' });
    await must(a.id, 'executor', { to: 'resolved', note: 'Переделано' });
    expect((await detail(a.id, kit.cookie.executor)).dispute).toBeUndefined();
    await must(a.id, 'supervisor', { to: 'reopened', note: 'Звонил заявитель: снова провал' });
    expect((await detail(a.id, kit.cookie.executor)).dispute).toMatchObject({ via: 'staff', text: 'Звонил заявитель: снова провал' });
  });
});

describe('verified closure figures', () => {
  it('count reopenings, proofs and confirmations per service and district', async () => {
    const from = await dbNow();
    // A: resolved with a photo, rated 5 — B: resolved, disputed — C: resolved, rated 3 — D: resolved, no answer
    const [a, b, c, d] = [await inStatus('resolved'), await inStatus('resolved'), await inStatus('resolved'), await inStatus('resolved')];
    await t.pool.query(
      `UPDATE incident_events SET data = data || '{"photo_url": "/photos/a.jpg"}'::jsonb
        WHERE incident_id = $1 AND to_status = 'resolved'`,
      [a.id],
    );
    expect((await post(`/api/incidents/${a.id}/feedback`, { rating: 5 }, kit.cookie.dispatcher)).status).toBe(200);
    expect((await post(`/api/feedback/${await firstLink(b.id)}/dispute`, { comment: 'не сделано' })).status).toBe(200);
    expect((await post(`/api/incidents/${c.id}/feedback`, { rating: 3 }, kit.cookie.dispatcher)).status).toBe(200);
    expect(d.id).toBeGreaterThan(0);
    const to = new Date(Date.parse(await dbNow()) + 1000).toISOString();

    const expected = {
      resolved: 4,
      reopened: 1,
      reopen_rate: 0.25,
      with_proof: 1,
      proof_share: 0.25,
      feedback_asked: 4,
      confirmed: 1,
      confirmed_share: 0.25,
    };
    const bySvc = await t.json(`/api/stats/closure?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    expect(bySvc.status).toBe(200);
    expect(bySvc.body.by).toBe('service');
    expect(bySvc.body.total).toEqual(expected);
    expect(bySvc.body.items).toEqual([{ code: kit.executorService, ...expected }]);

    const byDistrict = await t.json(`/api/stats/closure?by=district&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    expect(byDistrict.body.items).toEqual([{ code: kit.inside.code, ...expected }]);
    // public, and no personal data in it
    expect(JSON.stringify(byDistrict.body)).not.toMatch(/Тест Тестов|701 000/);

    // a window before any of it: nothing
    const empty = await t.json(`/api/stats/closure?from=2001-01-01&to=2001-02-01`);
    expect(empty.body.total).toMatchObject({ resolved: 0, reopen_rate: null, proof_share: null, confirmed_share: null });
  });

  it('refuses unknown parameters and a reversed period', async () => {
    const unknown = await t.json('/api/stats/closure?period=30');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('unknown_parameter');
    const reversed = await t.json('/api/stats/closure?from=2026-02-01&to=2026-01-01');
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.code).toBeDefined();
    expect((await t.json('/api/stats/closure?by=category')).status).toBe(400);
    expect((await t.json('/api/stats/eta-accuracy?x=1')).status).toBe(400);
  });
});

describe('ETAs', () => {
  it('are in the detail, the list and the control view of open appeals, and null for closed ones', async () => {
    const a = await inStatus('assigned');
    const one = await detail(a.id, kit.cookie.dispatcher);
    const eta = one.properties.eta;
    expect(eta).not.toBeNull();
    expect(['category_district', 'category', 'sphere']).toContain(eta.basis);
    expect(eta.n).toBeGreaterThanOrEqual(10);
    const left = (Date.parse(eta.at) - Date.now()) / 3_600_000;
    expect(Math.abs(left - eta.hours_left)).toBeLessThan(0.2);
    expect(Date.parse(eta.at)).toBeGreaterThan(Date.parse(one.properties.created_at));

    const list = await t.json(`/api/incidents?status=assigned&limit=100`, { headers: { cookie: kit.cookie.dispatcher } });
    const mine = list.body.features.find((f: { id: number }) => f.id === a.id);
    expect(mine.properties.eta).toMatchObject({ basis: eta.basis, n: eta.n });
    expect(Math.abs(Date.parse(mine.properties.eta.at) - Date.parse(eta.at))).toBeLessThan(60_000);
    const closed = await t.json(`/api/incidents?status=closed&limit=20`);
    expect(closed.body.features.length).toBeGreaterThan(0);
    for (const f of closed.body.features) expect(f.properties.eta).toBeNull();

    const control = await t.json(`/api/control?sort=age&limit=500`, { headers: { cookie: kit.cookie.dispatcher } });
    const item = control.body.items.find((i: { id: number }) => i.id === a.id);
    expect(item.eta).toMatchObject({ basis: eta.basis, n: eta.n });

    await must(a.id, 'admin', { to: 'in_progress' });
    await must(a.id, 'admin', { to: 'resolved', note: 'готово' });
    expect((await detail(a.id)).properties.eta).toBeNull();
  });

  it('are recorded, settled at resolution and measured per category by the job', async () => {
    const a = await inStatus('assigned');
    const rejected = await inStatus('assigned');
    const first = await runEtaJob(t.pool);
    expect(first.recorded).toBeGreaterThanOrEqual(2);
    const row = (await t.pool.query('SELECT eta_at, resolved_at, basis FROM incident_etas WHERE incident_id = $1', [a.id])).rows[0];
    expect(row.resolved_at).toBeNull();
    // the estimate as given at creation: what the detail said when the appeal was new
    const shown = (await detail(a.id)).properties.eta;
    expect(Math.abs(Date.parse(shown.at) - row.eta_at.getTime())).toBeLessThan(10 * 60_000);
    expect((await runEtaJob(t.pool)).recorded).toBe(0);

    await must(a.id, 'admin', { to: 'in_progress' });
    await must(a.id, 'admin', { to: 'resolved', note: 'готово' });
    await must(rejected.id, 'admin', { to: 'rejected', reason: 'spam' });
    // the appeal took 10 hours
    await t.pool.query(`UPDATE incidents SET created_at = resolved_at - interval '10 hours' WHERE id = $1`, [a.id]);
    await t.pool.query(
      `UPDATE incident_etas SET eta_at = (SELECT resolved_at - interval '2 hours' FROM incidents WHERE id = $1) WHERE incident_id = $1`,
      [a.id],
    );
    const run = await runEtaJob(t.pool);
    expect(run.settled).toBeGreaterThanOrEqual(1);
    expect(run.categories).toBeGreaterThan(0);
    const settled = (await t.pool.query('SELECT predicted_h, actual_h, error_h FROM incident_etas WHERE incident_id = $1', [a.id])).rows[0];
    expect(settled.actual_h).toBeCloseTo(10, 6);
    expect(settled.predicted_h).toBeCloseTo(8, 6);
    expect(settled.error_h).toBeCloseTo(2, 6);
    // nothing was resolved to judge the rejected appeal's estimate by
    expect((await t.pool.query('SELECT 1 FROM incident_etas WHERE incident_id = $1', [rejected.id])).rowCount).toBe(0);

    const res = await t.json('/api/stats/eta-accuracy');
    expect(res.status).toBe(200);
    const truth = (
      await t.pool.query(
        `SELECT c.code, count(*)::int AS n, avg(e.error_h) AS mae, avg((e.error_h <= 0.25 * e.actual_h)::int)::float8 AS within
           FROM incident_etas e JOIN categories c ON c.id = e.category_id
          WHERE e.resolved_at >= now() - interval '90 days' GROUP BY c.code`,
      )
    ).rows;
    expect(res.body.items).toHaveLength(truth.length);
    const pothole = truth.find((r) => r.code === 'roads.pothole')!;
    const item = res.body.items.find((i: { category: string }) => i.category === 'roads.pothole');
    expect(item.n).toBe(pothole.n);
    expect(item.mae_h).toBeCloseTo(Number(pothole.mae), 1);
    expect(item.within25).toBeCloseTo(Number(pothole.within), 3);
    expect(res.body.total.n).toBe(truth.reduce((s, r) => s + r.n, 0));
    expect(res.body.window_days).toBe(90);
    expect(Date.parse(res.body.computed_at)).toBeGreaterThan(Date.now() - 60_000);
  });
});
