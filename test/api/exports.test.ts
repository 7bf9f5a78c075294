import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

const t = testApp();
const PHONE = /\+7 ?7\d\d/;
const COLUMNS =
  'number,type,category,sphere,channel,status,priority,district,service,created_at,due_at,resolved_at,closed_at,overdue,lng,lat,address,description';

// Appeals registered after this moment (other test files create some) stay out of the counts.
const until = new Date().toISOString();

describe('GET /api/exports/incidents.csv', () => {
  it('needs a staff session: 401 without one, 403 for a wall display', async () => {
    const anon = await t.json('/api/exports/incidents.csv');
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('unauthorized');
    const display = await t.login('display');
    expect((await t.request('/api/exports/incidents.csv', { headers: { cookie: display } })).status).toBe(403);
  });

  it('streams every matching appeal as RFC 4180 CSV with a BOM, the same count as the list reports, no personal data', async () => {
    const cookie = await t.login('official');
    const filter = `to=${encodeURIComponent(until)}`;
    const res = await t.request(`/api/exports/incidents.csv?${filter}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="jardem-incidents-\d{4}-\d{2}-\d{2}\.csv"$/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    const rows: string[][] = parse(text, { bom: true });
    expect(rows[0].join(',')).toBe(COLUMNS);
    const list = await t.json(`/api/incidents?${filter}&limit=1`);
    expect(rows.length - 1).toBe(list.body.numberMatched);
    expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(rows.length - 1);
    expect(text).not.toMatch(PHONE);
    // Full names ("Surname Name") and messenger handles of reporters never appear.
    const { rows: people } = await t.pool.query(
      `SELECT DISTINCT name, contact FROM incident_reporters WHERE name LIKE '% %' OR contact LIKE '@%' LIMIT 100`,
    );
    for (const p of people) {
      // Names of people (two capitalised words), not the test markers other files write.
      if (/^[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+$/.test(p.name ?? '')) expect(text).not.toContain(p.name);
      if (p.contact?.startsWith('@')) expect(text).not.toContain(p.contact);
    }
    // Cyrillic survives, numbers and times read back as they are in the database.
    const sample = rows[1];
    const { rows: db } = await t.pool.query(
      'SELECT number, priority, ST_X(geom) AS lng, ST_Y(geom) AS lat, created_at, description FROM incidents WHERE number = $1',
      [sample[0]],
    );
    expect(Number(sample[6])).toBe(db[0].priority);
    expect(Number(sample[14])).toBeCloseTo(db[0].lng, 9);
    expect(Number(sample[15])).toBeCloseTo(db[0].lat, 9);
    expect(Date.parse(sample[9])).toBe(db[0].created_at.getTime());
    expect(sample[17].replace(/^'/, '')).toBe(db[0].description);
    expect(['true', 'false']).toContain(sample[13]);
  });

  it('applies the filters of the list (status, category, district)', async () => {
    const cookie = await t.login('supervisor');
    const meta = (await t.json('/api/meta')).body;
    // One of the supervisor's own districts: beyond them the export is empty (test/api/scope.test.ts).
    const me = (await t.json('/api/auth/me', { headers: { cookie } })).body.user;
    expect(me.districtIds).toContain(meta.districts[0].id);
    const filter = `status=open&category=heating&district=${meta.districts[0].code}&to=${encodeURIComponent(until)}`;
    const rows: string[][] = parse(await (await t.request(`/api/exports/incidents.csv?${filter}`, { headers: { cookie } })).text(), {
      bom: true,
    });
    const list = await t.json(`/api/incidents?${filter}&limit=1000`);
    expect(rows.length - 1).toBe(list.body.numberMatched);
    expect(
      rows
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual(list.body.features.map((f: any) => f.properties.number).sort());
    for (const r of rows.slice(1)) {
      expect(r[3]).toBe('heating');
      expect(r[7]).toBe(meta.districts[0].code);
    }
  });

  it('runs at most two exports at once, and frees a slot when a client goes away', async () => {
    const cookie = await t.login('official');
    const a = await t.request('/api/exports/incidents.csv', { headers: { cookie } });
    const b = await t.request('/api/exports/incidents.geojson', { headers: { cookie } });
    expect([a.status, b.status]).toEqual([200, 200]);
    const third = await t.json('/api/exports/incidents.csv', { headers: { cookie } });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBeTruthy();
    await a.body!.cancel();
    await b.body!.cancel();
    const again = await t.request('/api/exports/incidents.csv?status=open', { headers: { cookie } });
    expect(again.status).toBe(200);
    expect((await again.text()).length).toBeGreaterThan(100);
    // HEAD answers the headers without starting an export.
    const head = await t.request('/api/exports/incidents.csv', { method: 'HEAD', headers: { cookie } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-disposition')).toMatch(/attachment/);
  });

  it('rejects a bad filter with a 400 before streaming anything', async () => {
    const cookie = await t.login('official');
    const res = await t.json('/api/exports/incidents.csv?status=lost', { headers: { cookie } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('status');
  });
});

describe('GET /api/exports/incidents.geojson', () => {
  it('is a valid FeatureCollection with the same count (in the executor’s scope) and the public properties only', async () => {
    const cookie = await t.login('executor');
    const filter = `to=${encodeURIComponent(until)}`;
    const res = await t.request(`/api/exports/incidents.geojson?${filter}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    const text = await res.text();
    const body = JSON.parse(text);
    expect(body.type).toBe('FeatureCollection');
    // An executor exports their service's appeals only (server/auth/matrix.ts): the list filtered by it.
    const me = (await t.json('/api/auth/me', { headers: { cookie } })).body.user;
    const { rows } = await t.pool.query('SELECT code FROM services WHERE id = $1', [me.serviceId]);
    const list = await t.json(`/api/incidents?${filter}&service=${rows[0].code}&limit=1`);
    expect(body.features).toHaveLength(list.body.numberMatched);
    const f = body.features[0];
    expect(f.type).toBe('Feature');
    expect(f.geometry.type).toBe('Point');
    expect(Object.keys(f.properties)).toEqual(COLUMNS.split(',').filter((c) => c !== 'lng' && c !== 'lat'));
    expect(text).not.toMatch(PHONE);
    for (const feature of body.features) expect(Object.keys(feature.properties).some((k) => /reporter|phone|name/.test(k))).toBe(false);
  });

  it('streams an empty collection when nothing matches', async () => {
    const cookie = await t.login('official');
    const res = await t.request('/api/exports/incidents.geojson?q=no-such-text-anywhere-42', { headers: { cookie } });
    expect(JSON.parse(await res.text()).features).toEqual([]);
  });

  it('needs a session', async () => {
    expect((await t.request('/api/exports/incidents.geojson')).status).toBe(401);
  });
});
