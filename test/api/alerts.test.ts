/**
 * Alerts against the real database: situations made with SQL (a burst of appeals in the last
 * hour, open manholes next to each other, a critical appeal past its deadline) are found by
 * computeAlerts' queries and served by GET /api/alerts. The rows are removed afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../server/alerts/detect.ts';
import { computeAlerts } from '../../server/alerts/queries.ts';
import { testApp } from '../helpers/app.ts';

const t = testApp();
const made: number[] = [];
let district = '';
/** A point inside `district`, [lng, lat]. */
let place: [number, number] = [0, 0];
const now = new Date();

async function insert(
  category: string,
  createdMinutesAgo: number,
  opts: { at?: [number, number]; priority?: number; dueMinutes?: number } = {},
) {
  const [lng, lat] = opts.at ?? place;
  const { rows } = await t.pool.query<{ id: number }>(
    `INSERT INTO incidents (number, type, category_id, channel, priority, description, geom, created_at, updated_at, due_at)
     VALUES (incident_number('109', now()), 'complaint', (SELECT id FROM categories WHERE code = $1), 'phone', $2,
             'Alert test appeal', ST_SetSRID(ST_MakePoint($3, $4), 4326),
             $5::timestamptz - make_interval(mins => $6), $5::timestamptz - make_interval(mins => $6),
             $5::timestamptz + make_interval(mins => $7))
     RETURNING id`,
    [category, opts.priority ?? 3, lng, lat, now.toISOString(), createdMinutesAgo, opts.dueMinutes ?? 24 * 60],
  );
  made.push(rows[0].id);
  return rows[0].id;
}

beforeAll(async () => {
  const { rows } = await t.pool.query<{ code: string; lng: number; lat: number }>(
    `SELECT code, ST_X(ST_PointOnSurface(geom)) AS lng, ST_Y(ST_PointOnSurface(geom)) AS lat FROM districts ORDER BY code LIMIT 1`,
  );
  district = rows[0].code;
  place = [rows[0].lng, rows[0].lat];
});

afterAll(async () => {
  await t.pool.query('DELETE FROM incidents WHERE id = ANY($1::bigint[])', [made]);
});

describe('alerts from the database', () => {
  it('finds a burst of appeals in the last hour, against the same hour of previous weeks', async () => {
    // Livestock in the streets: a rare category; nine calls within the hour.
    for (let i = 0; i < 9; i++) await insert('animals.livestock', 5 + i * 5);
    const { items } = await computeAlerts(t.pool, now);
    const spike = items.find((a) => a.id === `spike:animals.livestock:${district}`);
    expect(spike).toMatchObject({ kind: 'spike', category: 'animals.livestock', sphere: 'animals', district, count: 9 });
    expect(new Date(spike!.since).getTime()).toBe(now.getTime() - 45 * 60_000);
    expect(spike!.expected).toBeLessThan(2);
    // ...and the sphere is not reported again for the same district
    expect(items.find((a) => a.id === `spike:animals:${district}`)).toBeUndefined();
  });

  it('finds open manholes reported close together, and an overdue critical appeal', async () => {
    const [lng, lat] = place;
    await insert('manholes.open.sewer', 50, { at: [lng, lat] });
    await insert('manholes.open.water', 30, { at: [lng + 0.0008, lat] });
    await insert('manholes.open.storm', 10, { at: [lng + 0.0008, lat + 0.0008] });
    await insert('flooding.houses', 2 * 24 * 60, { priority: 1, dueMinutes: -(2 * 24 * 60 - 90) }); // due 90 minutes after intake
    const { items } = await computeAlerts(t.pool, now);
    const cluster = items.find((a) => a.kind === 'emergency_cluster' && a.sphere === 'manholes' && a.district === district);
    expect(cluster).toMatchObject({ category: 'manholes.open', severity: 'critical' });
    expect(cluster!.count).toBeGreaterThanOrEqual(3);
    expect(cluster!.radiusM).toBeLessThan(300);
    const overdue = items.find((a) => a.id === `overdue:flooding:${district}`)!;
    expect(overdue).toMatchObject({ kind: 'overdue_critical', category: expect.stringMatching(/^flooding/), severity: 'critical' });
    expect(overdue.count).toBeGreaterThanOrEqual(1);
    expect(Date.parse(overdue.since)).toBeLessThanOrEqual(now.getTime() - (2 * 24 * 60 - 90) * 60_000);
    // critical first
    const ranks = items.map((a) => (a.severity === 'critical' ? 0 : 1));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('serves them at GET /api/alerts, most urgent first', async () => {
    const { status, body } = await t.json<{ generatedAt: string; items: Alert[] }>('/api/alerts');
    expect(status).toBe(200);
    expect(Date.parse(body.generatedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(body.items.some((a) => a.kind === 'emergency_cluster' && a.sphere === 'manholes')).toBe(true);
    for (const a of body.items) {
      expect(a).toMatchObject({
        id: expect.any(String),
        category: expect.any(String),
        count: expect.any(Number),
        since: expect.any(String),
      });
      expect(Object.keys(a)).not.toContain('description');
    }
  });
});
