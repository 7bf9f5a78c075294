import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

const t = testApp();

describe('GET /api/stats/summary', () => {
  it('gives the control room KPIs, consistent with the database and with the districts', async () => {
    const { status, body } = await t.json('/api/stats/summary');
    expect(status).toBe(200);
    const { rows } = await t.pool.query(
      `SELECT count(*) FILTER (WHERE is_open)::int AS open,
              count(*) FILTER (WHERE status IN ('new','assigned','in_progress','reopened') AND due_at < now())::int AS overdue,
              count(*) FILTER (WHERE created_at >= date_trunc('day', now() AT TIME ZONE 'Asia/Almaty') AT TIME ZONE 'Asia/Almaty')::int AS new_today
         FROM incidents`,
    );
    expect(body.city.open).toBe(rows[0].open);
    expect(body.city.overdue).toBe(rows[0].overdue);
    expect(body.city.newToday).toBe(rows[0].new_today);
    expect(body.city.onTimeRate).toBeGreaterThan(0);
    expect(body.city.onTimeRate).toBeLessThanOrEqual(1);
    expect(body.city.meanRating).toBeGreaterThanOrEqual(1);
    expect(body.city.meanRating).toBeLessThanOrEqual(5);
    expect(body.city.firstCallRate).toBeGreaterThan(0);
    const districts = Object.values(body.districts) as any[];
    expect(districts.length).toBeGreaterThanOrEqual(10);
    expect(districts.reduce((a, d) => a + d.open, 0)).toBeLessThanOrEqual(body.city.open);
  });

  it('follows the period: a longer period closes more appeals', async () => {
    const week = (await t.json(`/api/stats/summary?from=${new Date(Date.now() - 7 * 864e5).toISOString()}`)).body;
    const year = (await t.json(`/api/stats/summary?from=${new Date(Date.now() - 365 * 864e5).toISOString()}`)).body;
    expect(year.city.closed).toBeGreaterThan(week.city.closed);
    expect(year.city.open).toBe(week.city.open);
  });

  it('rejects a bad period', async () => {
    const { status, body } = await t.json('/api/stats/summary?from=2026-02-30T99:00');
    expect(status).toBe(400);
    expect(body.error.message).toContain('from');
  });
});
