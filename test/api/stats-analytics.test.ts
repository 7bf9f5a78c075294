/**
 * The statistics for officials: by district (absolute and per 10,000 residents), by service
 * (on-time %, median time to close, reopen rate, rating), by channel, first-call resolution,
 * and the extended time series. Exact figures are checked against SQL over the appeals in the
 * same REPEATABLE READ snapshot; the HTTP answers for their shape and validation.
 */
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../server/catalog.ts';
import { byCategory, byChannel, byDistrict, byService, timeSeries } from '../../server/stats/breakdowns.ts';
import { firstCall } from '../../server/stats/queries.ts';
import { testApp } from '../helpers/app.ts';

const t = testApp();
const DAY = 86_400_000;
const from = new Date(Date.now() - 120 * DAY).toISOString();
const to = new Date(Date.now() - 30 * DAY).toISOString();
const inPeriod = (col: string) => `${col} >= $1::timestamptz AND ${col} < $2::timestamptz`;

async function snapshot<T>(fn: (db: pg.PoolClient) => Promise<T>): Promise<T> {
  const db = await t.pool.connect();
  try {
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    return await fn(db);
  } finally {
    await db.query('ROLLBACK');
    db.release();
  }
}

const byKey = <T extends Record<string, any>>(rows: T[], key: keyof T) => new Map(rows.map((r) => [r[key], r]));

/** `shown` is `exact` rounded to `digits` decimals. */
const rounded = (shown: number | null, exact: number, digits: number) =>
  expect(Math.abs((shown ?? Number.NaN) - exact)).toBeLessThanOrEqual(0.5 * 10 ** -digits + 1e-9);

describe('GET /api/stats/by-district', () => {
  it('counts per district and per 10,000 residents, with the backlog now', async () => {
    const catalog = await getCatalog(t.pool);
    await snapshot(async (db) => {
      const res = await byDistrict(db, catalog, {}, from, to);
      const { rows } = await db.query(
        `SELECT d.code, d.population,
                count(*) FILTER (WHERE ${inPeriod('i.created_at')})::int AS created,
                count(*) FILTER (WHERE ${inPeriod('i.resolved_at')} AND i.status <> 'rejected')::int AS resolved,
                count(*) FILTER (WHERE ${inPeriod('i.resolved_at')} AND i.status <> 'rejected' AND i.resolved_at <= i.due_at)::int AS on_time,
                count(*) FILTER (WHERE i.is_open)::int AS open,
                count(*) FILTER (WHERE i.status IN ('new','assigned','in_progress','reopened') AND i.due_at < now())::int AS overdue,
                percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM i.resolved_at - i.created_at))
                  FILTER (WHERE ${inPeriod('i.resolved_at')} AND i.status <> 'rejected') / 3600 AS median_h
           FROM districts d LEFT JOIN incidents i ON i.district_id = d.id GROUP BY d.code, d.population`,
        [from, to],
      );
      const expected = byKey(rows, 'code');
      expect(res.items.map((r) => r.code)).toEqual([...expected.keys()].sort());
      for (const r of res.items) {
        const e = expected.get(r.code)!;
        expect(r).toMatchObject({
          created: e.created,
          resolved: e.resolved,
          resolved_on_time: e.on_time,
          open: e.open,
          overdue: e.overdue,
        });
        // rounded to 2 decimals
        expect(Math.abs(r.created_per_10k! - (e.created * 10_000) / e.population)).toBeLessThanOrEqual(0.0051);
        expect(Math.abs(r.open_per_10k! - (e.open * 10_000) / e.population)).toBeLessThanOrEqual(0.0051);
        if (e.resolved) {
          rounded(r.on_time_rate, e.on_time / (e.resolved + e.overdue), 4);
          // the histogram's median lies in the bucket of the true one: within a factor 2^(1/3) (and 3 decimals)
          expect(r.median_hours_to_close!).toBeGreaterThan(e.median_h * 2 ** (-1 / 3) - 0.0005);
          expect(r.median_hours_to_close!).toBeLessThan(e.median_h * 2 ** (1 / 3) + 0.0005);
        }
      }
    });
  });

  it('answers over HTTP with every district, and refuses a bad period', async () => {
    const { status, body } = await t.json(`/api/stats/by-district?from=${from}&to=${to}&category=heating`);
    expect(status).toBe(200);
    expect(body.period).toEqual({ from, to });
    expect(body.items.length).toBeGreaterThanOrEqual(10);
    expect(body.items[0]).toHaveProperty('created_per_10k');
    const bad = await t.json('/api/stats/by-district?from=2026-02-30');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('from');
  });
});

describe('GET /api/stats/by-service', () => {
  it('adds performance over the period: on-time %, median time to close, reopen rate, rating', async () => {
    const catalog = await getCatalog(t.pool);
    await snapshot(async (db) => {
      const res = await byService(db, catalog, { status: ['open'] }, from, to);
      const { rows } = await db.query(
        `SELECT s.code,
                count(*) FILTER (WHERE ${inPeriod('i.resolved_at')} AND i.status <> 'rejected')::int AS resolved,
                count(*) FILTER (WHERE ${inPeriod('i.resolved_at')} AND i.status <> 'rejected' AND i.resolved_at <= i.due_at)::int AS on_time,
                count(*) FILTER (WHERE i.status IN ('new','assigned','in_progress','reopened') AND i.due_at < now())::int AS overdue,
                sum(i.rating) FILTER (WHERE ${inPeriod('i.resolved_at')})::int AS rating_sum,
                count(i.rating) FILTER (WHERE ${inPeriod('i.resolved_at')})::int AS ratings,
                percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM i.resolved_at - i.created_at))
                  FILTER (WHERE ${inPeriod('i.resolved_at')} AND i.status <> 'rejected') / 3600 AS median_h,
                (SELECT count(*)::int FROM incident_events e JOIN incidents x ON x.id = e.incident_id
                  WHERE x.service_id = s.id AND e.to_status = 'reopened' AND ${inPeriod('e.at')}) AS reopened
           FROM services s JOIN incidents i ON i.service_id = s.id GROUP BY s.id, s.code`,
        [from, to],
      );
      const expected = byKey(rows, 'code');
      expect(res.items.length).toBeGreaterThan(5);
      for (const r of res.items) {
        const e = expected.get(r.code);
        if (!e) continue;
        const p = r.performance;
        expect(p).toMatchObject({
          resolved: e.resolved,
          resolved_on_time: e.on_time,
          overdue_now: e.overdue,
          reopened: e.reopened,
          ratings: e.ratings,
        });
        if (e.resolved + e.overdue) rounded(p.on_time_rate, e.on_time / (e.resolved + e.overdue), 4);
        if (e.ratings) rounded(p.mean_rating, e.rating_sum / e.ratings, 2);
        if (e.resolved) {
          rounded(p.reopen_rate, e.reopened / e.resolved, 4);
          expect(p.median_hours_to_close!).toBeGreaterThan(e.median_h * 2 ** (-1 / 3) - 0.0005);
          expect(p.median_hours_to_close!).toBeLessThan(e.median_h * 2 ** (1 / 3) + 0.0005);
        }
      }
      // The backlog fields keep their meaning: open appeals per service.
      const open = await db.query(
        `SELECT s.code, count(*)::int AS n FROM incidents i JOIN services s ON s.id = i.service_id WHERE i.is_open GROUP BY 1`,
      );
      for (const o of open.rows) expect(res.items.find((r) => r.code === o.code)?.open).toBe(o.n);
    });
  });

  it('keeps the old fields and order over HTTP', async () => {
    const { body } = await t.json('/api/stats/by-service');
    const overdue = body.items.map((r: any) => r.overdue);
    expect([...overdue].sort((a, b) => b - a)).toEqual(overdue);
    for (const r of body.items) {
      expect(r).toHaveProperty('resolved_on_time');
      expect(r.performance).toHaveProperty('median_hours_to_close');
    }
  });
});

describe('GET /api/stats/by-channel and /api/stats/first-call', () => {
  it('count appeals and first-call resolutions per channel and overall', async () => {
    const catalog = await getCatalog(t.pool);
    await snapshot(async (db) => {
      const channels = await byChannel(db, catalog, {}, from, to);
      const fcr = await firstCall(db, catalog, {}, from, to);
      const { rows } = await db.query(
        `SELECT channel, count(*)::int AS created,
                count(*) FILTER (WHERE status = 'closed' AND assigned_at IS NULL)::int AS first_call,
                count(*) FILTER (WHERE type = 'information_request')::int AS info,
                count(*) FILTER (WHERE type = 'information_request' AND status = 'closed' AND assigned_at IS NULL)::int AS info_first_call
           FROM incidents WHERE ${inPeriod('created_at')} GROUP BY channel`,
        [from, to],
      );
      const expected = byKey(rows, 'channel');
      expect(channels.items).toHaveLength(7);
      for (const c of channels.items) {
        const e = expected.get(c.channel) ?? { created: 0, first_call: 0 };
        expect(c.created).toBe(e.created);
        expect(c.first_call).toBe(e.first_call);
      }
      const total = rows.reduce((a, r) => a + r.created, 0);
      expect(channels.total).toBe(total);
      expect(channels.items.reduce((a, c) => a + (c.share ?? 0), 0)).toBeCloseTo(1, 3);
      expect(fcr.all).toEqual({ created: total, first_call: rows.reduce((a, r) => a + r.first_call, 0), rate: expect.any(Number) });
      const info = rows.reduce((a, r) => a + r.info, 0);
      const infoFirst = rows.reduce((a, r) => a + r.info_first_call, 0);
      expect(fcr.information_requests).toEqual({ created: info, first_call: infoFirst, rate: infoFirst / info });
      // The demo centre answers most information requests on the call, as Astana's does (60–77 %).
      expect(fcr.information_requests.rate).toBeGreaterThan(0.5);
    });
  });

  it('answer over HTTP', async () => {
    const c = await t.json(`/api/stats/by-channel?from=${from}&to=${to}`);
    expect(c.status).toBe(200);
    expect(c.body.items[0].channel).toBe('phone');
    const f = await t.json(`/api/stats/first-call?from=${from}&to=${to}&district=talas`);
    expect(f.status).toBe(200);
    expect(f.body.all.created).toBeGreaterThan(0);
    expect((await t.json('/api/stats/first-call?channel=pigeon')).status).toBe(400);
  });
});

describe('the rollup behind the older statistics', () => {
  it('gives a year of closed appeals by sphere, as counted from the appeals', async () => {
    const catalog = await getCatalog(t.pool);
    const yearAgo = new Date(Date.now() - 365 * DAY).toISOString();
    await snapshot(async (db) => {
      const items = await byCategory(db, catalog, { status: ['closed', 'rejected'], from: yearAgo, to }, 'sphere');
      const { rows } = await db.query(
        `SELECT s.code, count(*)::int AS n FROM incidents i JOIN categories c ON c.id = i.category_id
           JOIN categories s ON s.id = coalesce(c.sphere_id, c.id)
          WHERE i.status IN ('closed', 'rejected') AND ${inPeriod('i.created_at')} GROUP BY 1`,
        [yearAgo, to],
      );
      expect(Object.fromEntries(items.map((r) => [r.code, r.count]))).toEqual(Object.fromEntries(rows.map((r) => [r.code, r.n])));
      for (const r of items) expect(r.open).toBe(0);
    });
  });

  it('extends the time series with resolutions on time, first-call resolutions and reopenings', async () => {
    const catalog = await getCatalog(t.pool);
    await snapshot(async (db) => {
      const items = await timeSeries(db, catalog, {}, 'week', from, to);
      const { rows } = await db.query(
        `SELECT (SELECT count(*)::int FROM incidents WHERE ${inPeriod('resolved_at')} AND status <> 'rejected' AND resolved_at <= due_at) AS on_time,
                (SELECT count(*)::int FROM incidents WHERE ${inPeriod('created_at')} AND status = 'closed' AND assigned_at IS NULL) AS first_call,
                (SELECT count(*)::int FROM incident_events WHERE ${inPeriod('at')} AND to_status = 'reopened') AS reopened`,
        [from, to],
      );
      const sum = (k: 'resolved_on_time' | 'first_call' | 'reopened') => items.reduce((a, r) => a + r[k], 0);
      expect({ on_time: sum('resolved_on_time'), first_call: sum('first_call'), reopened: sum('reopened') }).toEqual(rows[0]);
    });
    const { body } = await t.json(`/api/stats/timeseries?from=${from}&to=${to}&interval=month`);
    expect(body.items[0]).toMatchObject({ created: expect.any(Number), resolved: expect.any(Number), first_call: expect.any(Number) });
    expect((await t.json('/api/stats/timeseries?to=2026-13-01')).status).toBe(400);
  });
});
