/**
 * A supervisor keeps the outage register only in their districts (issue 18, item 3): they may
 * register, change and close an outage whose area lies in their districts, and get 403 for an
 * area reaching into another district — whether they draw it, move their own there, or touch an
 * outage a dispatcher registered elsewhere. Rows made here are removed afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

const t = testApp();
let dispatcher = '';
let supervisor = '';
/** A point well inside one of the supervisor's districts and one inside another district. */
let own: [number, number] = [0, 0];
let foreign: [number, number] = [0, 0];
let service = '';
const made: number[] = [];

/** A small square around a point, closed. */
function square([x, y]: [number, number], half = 0.0003) {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [x - half, y - half],
        [x + half, y - half],
        [x + half, y + half],
        [x - half, y + half],
        [x - half, y - half],
      ],
    ],
  };
}

const hoursFromNow = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();

async function send(method: string, path: string, cookie: string, body: unknown) {
  const r = await t.json(path, { method, headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
  if (method === 'POST' && path === '/api/outages' && r.status === 201) made.push(r.body.id);
  return r;
}

const register = (cookie: string, at: [number, number]) =>
  send('POST', '/api/outages', cookie, {
    kind: 'planned',
    services: [service],
    area: square(at),
    starts_at: hoursFromNow(-1),
    expected_end_at: hoursFromNow(4),
    notice: { en: 'Planned works on the water mains.' },
  });

beforeAll(async () => {
  dispatcher = await t.login('dispatcher');
  supervisor = await t.login('supervisor');
  const { rows: sup } = await t.pool.query<{ district_ids: number[] }>('SELECT district_ids FROM users WHERE login = $1', ['supervisor']);
  const ids = sup[0].district_ids;
  expect(ids.length).toBeGreaterThan(0);
  // Points deep inside a district: the centre of the largest circle that fits in it.
  const point = async (where: string) => {
    const { rows } = await t.pool.query<{ lng: number; lat: number }>(
      `SELECT ST_X(p) AS lng, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(ST_Buffer(geom, -0.002)) AS p FROM districts
        WHERE ${where} AND NOT ST_IsEmpty(ST_Buffer(geom, -0.002)) ORDER BY code LIMIT 1) x`,
      [ids],
    );
    expect(rows[0], where).toBeDefined();
    return [rows[0].lng, rows[0].lat] as [number, number];
  };
  own = await point('id = ANY($1::int[])');
  foreign = await point('NOT (id = ANY($1::int[]))');
  service = (await t.pool.query<{ code: string }>('SELECT code FROM services WHERE active ORDER BY code LIMIT 1')).rows[0].code;
});

afterAll(async () => {
  await t.pool.query('DELETE FROM outages WHERE id = ANY($1::bigint[])', [made]);
});

describe('a supervisor and the outage register', () => {
  it('registers, changes and closes an outage inside their districts', async () => {
    const r = await register(supervisor, own);
    expect(r.status).toBe(201);
    const p = await send('PATCH', `/api/outages/${r.body.id}`, supervisor, { version: r.body.properties.version, kind: 'emergency' });
    expect(p.status).toBe(200);
    expect(p.body.properties.kind).toBe('emergency');
    const c = await send('POST', `/api/outages/${r.body.id}/close`, supervisor, { version: p.body.properties.version });
    expect(c.status).toBe(200);
    expect(c.body.properties.status).toBe('ended');
  });

  it('may not register an area in another district (403), nor one reaching into it', async () => {
    const r = await register(supervisor, foreign);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('forbidden');
    expect(r.body.error.message).toMatch(/outside your districts/);
    // A polygon spanning both points reaches outside too.
    const span = await send('POST', '/api/outages', supervisor, {
      kind: 'planned',
      services: [service],
      area: { type: 'Polygon', coordinates: [[own, foreign, [foreign[0], own[1]], own]] },
      starts_at: hoursFromNow(-1),
      expected_end_at: hoursFromNow(4),
      notice: { en: 'x' },
    });
    expect(span.status).toBe(403);
    // A dispatcher registers it anywhere.
    expect((await register(dispatcher, foreign)).status).toBe(201);
  });

  it("may not move their own outage's area out of their districts (403), and nothing changes", async () => {
    const r = await register(supervisor, own);
    expect(r.status).toBe(201);
    const p = await send('PATCH', `/api/outages/${r.body.id}`, supervisor, { version: r.body.properties.version, area: square(foreign) });
    expect(p.status).toBe(403);
    const after = await t.json(`/api/outages/${r.body.id}`);
    expect(after.body.properties.version).toBe(r.body.properties.version);
    expect(after.body.geometry).toEqual(r.body.geometry);
  });

  it('may neither change nor close an outage registered in another district (403)', async () => {
    const r = await register(dispatcher, foreign);
    expect(r.status).toBe(201);
    const v = r.body.properties.version;
    const p = await send('PATCH', `/api/outages/${r.body.id}`, supervisor, { version: v, expected_end_at: hoursFromNow(8) });
    expect(p.status).toBe(403);
    const c = await send('POST', `/api/outages/${r.body.id}/close`, supervisor, { version: v });
    expect(c.status).toBe(403);
    expect((await t.json(`/api/outages/${r.body.id}`)).body.properties.status).not.toBe('ended');
    // The dispatcher (the whole city) closes it.
    expect((await send('POST', `/api/outages/${r.body.id}/close`, dispatcher, { version: v })).status).toBe(200);
  });
});
