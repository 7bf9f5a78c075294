import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

const t = testApp();

describe('GET /api/stats/by-category, by-service, timeseries', () => {
  it('breaks the open backlog down by sphere, matching the open count', async () => {
    const { status, body } = await t.json('/api/stats/by-category');
    expect(status).toBe(200);
    const open = (await t.json('/api/incidents?status=open&limit=1')).body.numberMatched;
    expect(body.total).toBe(open);
    expect(body.items.reduce((a: number, r: any) => a + r.count, 0)).toBe(open);
    for (const r of body.items) {
      expect(r.code).toBe(r.sphere);
      expect(r.name.ru).toBeTruthy();
      expect(r.overdue).toBeLessThanOrEqual(r.count);
    }
    const cats = (await t.json('/api/stats/by-category?level=category&status=closed')).body;
    expect(cats.items.length).toBeGreaterThan(body.items.length);
  });

  it('breaks the backlog down by service, most overdue first', async () => {
    const { body } = await t.json('/api/stats/by-service');
    expect(body.items.length).toBeGreaterThan(3);
    const overdue = body.items.map((r: any) => r.overdue);
    expect([...overdue].sort((a, b) => b - a)).toEqual(overdue);
    const { rows } = await t.pool.query(
      `SELECT count(*)::int AS n FROM incidents i JOIN services s ON s.id = i.service_id WHERE i.is_open AND s.code = $1`,
      [body.items[0].code],
    );
    expect(body.items[0].open).toBe(rows[0].n);
  });

  it('gives a daily series over the period with every day present', async () => {
    const from = '2026-01-01';
    const to = '2026-01-15';
    const { status, body } = await t.json(`/api/stats/timeseries?from=${from}&to=${to}`);
    expect(status).toBe(200);
    expect(body.items.map((r: any) => r.date)).toEqual(Array.from({ length: 14 }, (_, i) => `2026-01-${String(i + 1).padStart(2, '0')}`));
    const { rows } = await t.pool.query(
      `SELECT count(*)::int AS n FROM incidents WHERE created_at >= $1::timestamptz AND created_at < $2::timestamptz`,
      [from, to],
    );
    expect(body.items.reduce((a: number, r: any) => a + r.created, 0)).toBe(rows[0].n);
    const tooMany = await t.json('/api/stats/timeseries?from=2000-01-01&to=2026-01-01&interval=day');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toContain('interval');
  });
});

describe('GET /api/map/clusters', () => {
  it('aggregates the open appeals on a grid with their sphere mix, never more than the backlog', async () => {
    const { status, body } = await t.json('/api/map/clusters?z=11');
    expect(status).toBe(200);
    const open = (await t.json('/api/incidents?status=open&limit=1')).body.numberMatched;
    const total = body.features.reduce((a: number, f: any) => a + f.properties.count, 0);
    expect(total).toBe(open);
    expect(body.features.length).toBeLessThan(open);
    for (const f of body.features) {
      const mix = Object.values(f.properties.mix) as number[];
      expect(mix.reduce((a, b) => a + b, 0)).toBe(f.properties.count);
      expect(f.properties.mix[f.properties.sphere]).toBe(Math.max(...mix));
      if (f.properties.count === 1) expect(f.properties.number).toMatch(/^109-/);
    }
  });

  it('splits into more cells as the zoom grows', async () => {
    const low = (await t.json('/api/map/clusters?z=10')).body.features.length;
    const high = (await t.json('/api/map/clusters?z=16')).body.features.length;
    expect(high).toBeGreaterThan(low);
  });

  it('needs a valid zoom', async () => {
    const { status, body } = await t.json('/api/map/clusters?z=99');
    expect(status).toBe(400);
    expect(body.error.message).toContain('z');
  });
});
