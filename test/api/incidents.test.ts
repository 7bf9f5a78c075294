import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

const t = testApp();
const list = (qs: string) => t.json(`/api/incidents?${qs}`);

describe('GET /api/incidents', () => {
  it('lists open incidents newest first with numberMatched equal to the database count', async () => {
    const { status, body } = await list('status=open&limit=50');
    expect(status).toBe(200);
    const { rows } = await t.pool.query(`SELECT count(*)::int AS n FROM incidents WHERE status NOT IN ('closed','rejected')`);
    expect(body.numberMatched).toBe(rows[0].n);
    expect(body.features.length).toBe(Math.min(50, rows[0].n));
    for (const f of body.features) expect(['closed', 'rejected']).not.toContain(f.properties.status);
    const times = body.features.map((f: any) => Date.parse(f.properties.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('pages with a keyset cursor through every match exactly once', async () => {
    const seen: number[] = [];
    let next: string | null = null;
    let matched: number;
    do {
      const { status, body } = await list(`status=open&limit=97${next ? `&cursor=${next}` : ''}`);
      expect(status).toBe(200);
      matched = body.numberMatched;
      seen.push(...body.features.map((f: any) => f.id));
      next = body.next;
    } while (next);
    expect(seen.length).toBe(matched);
    expect(new Set(seen).size).toBe(matched);
  });

  it('filters by bbox, category with descendants, type, channel and district', async () => {
    const bbox = '71.35,42.87,71.40,42.91';
    const inBox = (await list(`bbox=${bbox}&limit=1000`)).body;
    expect(inBox.features.length).toBeGreaterThan(0);
    for (const f of inBox.features) {
      const [x, y] = f.geometry.coordinates;
      expect(x >= 71.35 && x <= 71.4 && y >= 42.87 && y <= 42.91).toBe(true);
    }
    const meta = (await t.json('/api/meta')).body;
    const sphere = 'heating';
    const inSphere = new Set(meta.categories.filter((c: any) => c.sphere === sphere || c.code === sphere).map((c: any) => c.code));
    const heating = (await list(`category=${sphere}&limit=200`)).body;
    expect(heating.numberMatched).toBeGreaterThan(0);
    for (const f of heating.features) expect(inSphere.has(f.properties.category)).toBe(true);

    const typed = (await list('type=information_request&channel=telegram,whatsapp&limit=200')).body;
    for (const f of typed.features) {
      expect(f.properties.type).toBe('information_request');
      expect(['telegram', 'whatsapp']).toContain(f.properties.channel);
    }
    const code = meta.districts[0].code;
    const inDistrict = (await list(`district=${code}&limit=200`)).body;
    for (const f of inDistrict.features) expect(f.properties.district).toBe(code);
  });

  it('filters by period and by text', async () => {
    const from = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const recent = (await list(`from=${from}&limit=500`)).body;
    for (const f of recent.features) expect(Date.parse(f.properties.created_at)).toBeGreaterThanOrEqual(Date.parse(from));
    const one = recent.features[0] ?? (await list('limit=1')).body.features[0];
    const byNumber = (await list(`q=${encodeURIComponent(one.properties.number)}`)).body;
    expect(byNumber.features.map((f: any) => f.id)).toContain(one.id);
  });

  it.each([
    ['bbox=1,2,3', 'bbox'],
    ['bbox=NaN,1,2,3', 'bbox'],
    ['bbox=10,50,0,40', 'bbox'],
    ['from=yesterday', 'from'],
    ['from=2026-13-45', 'from'],
    ['from=2026-05-01&to=2026-04-01', 'from'],
    ['limit=1001', 'limit'],
    ['limit=0', 'limit'],
    ['status=open,lost', 'status'],
    ['type=rant', 'type'],
    ['channel=pigeon', 'channel'],
    ['cursor=garbage', 'cursor'],
    ['service=no-such-service', 'service'],
    ['district=atlantis', 'district'],
    [`q=${'x'.repeat(300)}`, 'q'],
  ])('rejects %s with a 400 naming %s', async (qs, param) => {
    const { status, body } = await list(qs);
    expect(status).toBe(400);
    expect(body.error.message).toContain(param);
    expect(JSON.stringify(body)).not.toMatch(/SELECT|stack|at Object/);
  });
});

describe('GET /api/incidents/:id', () => {
  it('returns the incident with its events and hides reporters from the public', async () => {
    const id = (await list('status=closed&limit=1')).body.features[0].id;
    const { status, body } = await t.json(`/api/incidents/${id}`);
    expect(status).toBe(200);
    expect(body.properties.number).toMatch(/^109-\d{4}-\d{6,}$/);
    expect(body.events.length).toBeGreaterThan(0);
    expect(body.events[0].action).toBe('created');
    expect(body).not.toHaveProperty('reporters');
    expect(JSON.stringify(body)).not.toMatch(/\+7 ?7\d\d/);
  });

  it('shows reporters to a dispatcher and logs the read', async () => {
    // An open appeal with a reporter on file (appeals made by other tests may have none).
    const { rows } = await t.pool.query(
      `SELECT i.id FROM incidents i WHERE i.is_open AND EXISTS (SELECT 1 FROM incident_reporters r WHERE r.incident_id = i.id) ORDER BY i.id LIMIT 1`,
    );
    const id = rows[0].id;
    const cookie = await t.login('dispatcher');
    const before = (await t.pool.query('SELECT count(*)::int AS n FROM personal_data_reads WHERE incident_id = $1', [id])).rows[0].n;
    const { body } = await t.json(`/api/incidents/${id}`, { headers: { cookie } });
    expect(body.reporters.length).toBeGreaterThan(0);
    const after = (await t.pool.query('SELECT count(*)::int AS n FROM personal_data_reads WHERE incident_id = $1', [id])).rows[0].n;
    expect(after).toBe(before + 1);
    const official = await t.login('official');
    expect((await t.json(`/api/incidents/${id}`, { headers: { cookie: official } })).body).not.toHaveProperty('reporters');
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    expect((await t.json('/api/incidents/999999999')).status).toBe(404);
    const bad = await t.json('/api/incidents/abc');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('id');
  });
});
