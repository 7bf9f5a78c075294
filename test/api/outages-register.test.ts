/**
 * The register of outages and planned works (issue 18, item 3) against the real database: a
 * dispatcher registers an area, anyone reads it (notice redacted), a call inside it is answered
 * from it at intake in one step (closed as consulted, linked, counted), an outage past its
 * expected end raises an alert, and bad input is refused. Rows made here are removed afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeAlerts } from '../../server/alerts/queries.ts';
import { testApp } from '../helpers/app.ts';

const t = testApp();
let dispatcher = '';
/** A point inside the first district, [lng, lat], and the heating service that category routes to there. */
let place: [number, number] = [0, 0];
let heatingService = '';
const made: number[] = [];
const incidents: number[] = [];
const placeSource = 'test-outages';

/** A square of `half` degrees around a point, counter-clockwise, closed. */
function square([x, y]: [number, number], half = 0.002) {
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

async function registerOutage(body: Record<string, unknown>, cookie = dispatcher) {
  const r = await t.json('/api/outages', {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({
      kind: 'emergency',
      services: [heatingService],
      area: square(place),
      starts_at: hoursFromNow(-1),
      expected_end_at: hoursFromNow(5),
      notice: { ru: 'Нет отопления: авария на теплотрассе. Справки: +7 701 234 5678', en: 'No heating: a burst main.' },
      ...body,
    }),
  });
  if (r.status === 201) made.push(r.body.id);
  return r;
}

async function call(extra: Record<string, unknown>, at = place) {
  const r = await t.json('/api/incidents', {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: dispatcher },
    body: JSON.stringify({
      type: 'complaint',
      category: 'heating.no_heating.building',
      channel: 'phone',
      description: 'No heating in the building since the morning',
      location: { type: 'Point', coordinates: at },
      ...extra,
    }),
  });
  if (r.status === 201) incidents.push(r.body.id);
  return r;
}

beforeAll(async () => {
  dispatcher = await t.login('dispatcher');
  const { rows } = await t.pool.query<{ lng: number; lat: number; service: string }>(
    `SELECT ST_X(p) AS lng, ST_Y(p) AS lat,
            (SELECT s.code FROM services s WHERE s.id = route_service((SELECT id FROM categories WHERE code = 'heating.no_heating.building'), d.id)) AS service
       FROM (SELECT id, ST_PointOnSurface(geom) AS p FROM districts ORDER BY code LIMIT 1) d`,
  );
  place = [rows[0].lng, rows[0].lat];
  heatingService = rows[0].service;
});

afterAll(async () => {
  await t.pool.query('DELETE FROM incidents WHERE id = ANY($1::bigint[])', [incidents]);
  await t.pool.query('DELETE FROM outages WHERE id = ANY($1::bigint[])', [made]);
  await t.pool.query('DELETE FROM places WHERE source = $1', [placeSource]);
});

describe('the outage register', () => {
  it('registers an outage and serves it to the public with the notice redacted and no author', async () => {
    const r = await registerOutage({});
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`/api/outages/${r.body.id}`);
    expect(r.body.geometry.type).toBe('MultiPolygon');
    expect(r.body.properties).toMatchObject({ kind: 'emergency', status: 'active', call_count: 0, version: 1 });
    expect(r.body.properties.services.map((s: { code: string }) => s.code)).toEqual([heatingService]);
    expect(r.body.properties.notice.ru).toContain('+7 701 234 5678');
    expect(r.body.properties.created_by).toEqual(expect.any(Number));
    // People affected: the district's population × the covered share (the Taraz pack has populations).
    expect(r.body.properties.affected.people).toBeGreaterThan(0);

    const pub = await t.json(`/api/outages/${r.body.id}`);
    expect(pub.status).toBe(200);
    expect(pub.body.properties.notice.ru).not.toContain('234 5678');
    expect(pub.body.properties.notice.ru).toContain('[…]');
    expect(pub.body.properties).not.toHaveProperty('created_by');

    const list = await t.json(`/api/outages?active=true&at=${place[0]},${place[1]}&category=heating.no_heating.building`);
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toContain('application/geo+json');
    const ids = list.body.features.map((f: { id: number }) => f.id);
    expect(ids).toContain(r.body.id);
    expect(list.body.features.find((f: { id: number }) => f.id === r.body.id).properties.notice.ru).toContain('[…]');
    // Another category's service at the same point: not this outage.
    const other = await t.json(`/api/outages?active=true&at=${place[0]},${place[1]}&category=roads.pothole`);
    expect(other.body.features.map((f: { id: number }) => f.id)).not.toContain(r.body.id);
    // A point far away: not this outage.
    const far = await t.json(`/api/outages?at=${place[0] + 0.05},${place[1]}`);
    expect(far.body.features.map((f: { id: number }) => f.id)).not.toContain(r.body.id);
  });

  it('answers a call inside the outage in one step: closed as consulted, linked, counted', async () => {
    const o = await registerOutage({});
    const c = await call({ outage: o.body.id, answer: 'Known outage, heating back by 18:00' });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ status: 'closed', resolution: 'consulted', outage: o.body.id });
    const again = await call({ outage: o.body.id });
    expect(again.status).toBe(201);
    const after = await t.json(`/api/outages/${o.body.id}`, { headers: { cookie: dispatcher } });
    expect(after.body.properties.call_count).toBe(2);
    const links = await t.pool.query('SELECT incident_id FROM outage_calls WHERE outage_id = $1 ORDER BY incident_id', [o.body.id]);
    expect(links.rows.map((r) => Number(r.incident_id))).toEqual([c.body.id, again.body.id]);
    const events = await t.pool.query(`SELECT data FROM incident_events WHERE incident_id = $1 AND action = 'transition'`, [c.body.id]);
    expect(events.rows[0].data).toMatchObject({ action: 'consult', outage: o.body.id });
  });

  it('refuses to link a call outside the area, of another service, or to an ended outage (422), and counts nothing', async () => {
    const o = await registerOutage({});
    const outside = await call({ outage: o.body.id }, [place[0] + 0.01, place[1]]);
    expect(outside.status).toBe(422);
    expect(outside.body.error.code).toBe('outage_not_applicable');
    const otherService = await call({ outage: o.body.id, category: 'roads.pothole' });
    expect(otherService.status).toBe(422);
    const closed = await t.json(`/api/outages/${o.body.id}/close`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: dispatcher },
      body: JSON.stringify({ version: 1 }),
    });
    expect(closed.status).toBe(200);
    expect(closed.body.properties.status).toBe('ended');
    const late = await call({ outage: o.body.id });
    expect(late.status).toBe(422);
    const after = await t.json(`/api/outages/${o.body.id}`);
    expect(after.body.properties.call_count).toBe(0);
  });

  it('raises an alert for an outage past its expected end until it is closed', async () => {
    const o = await registerOutage({ starts_at: hoursFromNow(-6), expected_end_at: hoursFromNow(-1) });
    expect(o.status).toBe(201);
    expect(o.body.properties.status).toBe('overdue');
    const alert = (await computeAlerts(t.pool)).items.find((a) => a.id === `outage:${o.body.id}`);
    expect(alert).toMatchObject({ kind: 'outage_overdue', severity: 'critical', outage: o.body.id, category: heatingService });
    const closed = await t.json(`/api/outages/${o.body.id}/close`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: dispatcher },
      body: JSON.stringify({ version: o.body.properties.version }),
    });
    expect(closed.status).toBe(200);
    expect((await computeAlerts(t.pool)).items.find((a) => a.id === `outage:${o.body.id}`)).toBeUndefined();
  });

  it('builds the area from gazetteer places and counts the addresses inside', async () => {
    const [x, y] = place;
    const { rows } = await t.pool.query<{ id: string }>(
      `INSERT INTO places (source, kind, names, street, street_key, geom)
       VALUES ($1, 'street', '{"name":"Outage test street"}', NULL, 'outage test', ST_SetSRID(ST_MakeLine(ST_MakePoint($2, $3), ST_MakePoint($2 + 0.003, $3)), 4326))
       RETURNING id`,
      [placeSource, x, y],
    );
    // Two houses on the street, one far away.
    await t.pool.query(
      `INSERT INTO places (source, kind, street, housenumber, street_key, house_key, geom)
       VALUES ($1, 'address', 'Outage test street', '1', 'outage test', '1', ST_SetSRID(ST_MakePoint($2 + 0.001, $3 + 0.0001), 4326)),
              ($1, 'address', 'Outage test street', '3', 'outage test', '3', ST_SetSRID(ST_MakePoint($2 + 0.002, $3 - 0.0001), 4326)),
              ($1, 'address', 'Outage test street', '99', 'outage test', '99', ST_SetSRID(ST_MakePoint($2 + 0.002, $3 + 0.01), 4326))`,
      [placeSource, x, y],
    );
    const before = await t.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM places WHERE kind = 'address'
          AND ST_DWithin(geom::geography, ST_SetSRID(ST_MakeLine(ST_MakePoint($1, $2), ST_MakePoint($1 + 0.003, $2)), 4326)::geography, 40)`,
      [x, y],
    );
    const o = await registerOutage({ kind: 'planned', area: undefined, places: { ids: [Number(rows[0].id)], buffer_m: 40 } });
    expect(o.status).toBe(201);
    expect(o.body.properties.area_source).toMatchObject({ kind: 'places', places: [Number(rows[0].id)], buffer_m: 40 });
    expect(o.body.properties.affected).toMatchObject({ addresses: before.rows[0].n, method: 'addresses' });
    expect(before.rows[0].n).toBeGreaterThanOrEqual(2);
    const unknown = await registerOutage({ area: undefined, places: { ids: [Number.MAX_SAFE_INTEGER] } });
    expect(unknown.status).toBe(400);
  });

  it('changes an outage with its version and refuses a stale one (409)', async () => {
    const o = await registerOutage({});
    const patch = (body: object) =>
      t.json(`/api/outages/${o.body.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', cookie: dispatcher },
        body: JSON.stringify(body),
      });
    const ok = await patch({ version: 1, expected_end_at: hoursFromNow(8), notice: { kk: 'Жылу жоқ' } });
    expect(ok.status).toBe(200);
    expect(ok.body.properties).toMatchObject({ version: 2, notice: { kk: 'Жылу жоқ', ru: null, en: null } });
    expect(ok.body.events.map((e: { action: string }) => e.action)).toEqual(['created', 'updated']);
    expect(ok.body.events[1].data).toMatchObject({ notice: { kk: 'Жылу жоқ' } });
    expect(ok.body.events[1].actor_id).toEqual(expect.any(Number));
    // The public reads no history.
    expect((await t.json(`/api/outages/${o.body.id}`)).body).not.toHaveProperty('events');
    expect((await patch({ version: 1, kind: 'planned' })).status).toBe(409);
    expect((await patch({ version: 2, expected_end_at: hoursFromNow(-3) })).status).toBe(400);
  });
});

describe('demo outages', () => {
  it('lie along demo streets: a demo house on the street is inside and finds its outage', async () => {
    const { rows } = await t.pool.query<{ id: string; kind: string; lng: number | null; lat: number | null }>(
      `SELECT o.id, o.kind,
              (SELECT ST_X(a.geom) FROM places a JOIN places s ON s.id = (o.area_source->'places'->>0)::bigint
                WHERE a.kind = 'address' AND a.source = 'demo' AND a.street_key = s.street_key AND ST_Intersects(a.geom, o.geom)
                ORDER BY a.id LIMIT 1) AS lng,
              (SELECT ST_Y(a.geom) FROM places a JOIN places s ON s.id = (o.area_source->'places'->>0)::bigint
                WHERE a.kind = 'address' AND a.source = 'demo' AND a.street_key = s.street_key AND ST_Intersects(a.geom, o.geom)
                ORDER BY a.id LIMIT 1) AS lat
         FROM outages o WHERE o.area_source->>'demo' = 'true' ORDER BY o.id`,
    );
    expect(rows.map((r) => r.kind).sort()).toEqual(['emergency', 'emergency', 'planned']);
    for (const r of rows) {
      expect(r.lng).not.toBeNull();
      const found = await t.json(`/api/outages?active=true&at=${r.lng},${r.lat}`);
      expect(found.body.features.map((f: { id: number }) => f.id)).toContain(Number(r.id));
    }
  });
});

describe('refusals', () => {
  it('refuses a self-intersecting polygon with the reason (400)', async () => {
    const [x, y] = place;
    const bowtie = {
      type: 'Polygon',
      coordinates: [
        [
          [x, y],
          [x + 0.002, y + 0.002],
          [x + 0.002, y],
          [x, y + 0.002],
          [x, y],
        ],
      ],
    };
    const r = await registerOutage({ area: bowtie });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('bad_request');
    expect(r.body.error.message).toMatch(/Self-intersection/i);
    expect(JSON.stringify(r.body)).not.toMatch(/SELECT|ST_/);
  });

  it('refuses an open ring, an end before the start, unknown services and unknown fields (400)', async () => {
    const open = square(place);
    open.coordinates[0].pop();
    expect((await registerOutage({ area: open })).status).toBe(400);
    const backwards = await registerOutage({ starts_at: hoursFromNow(2), expected_end_at: hoursFromNow(1) });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details.some((d: { path: string }) => d.path.includes('expected_end_at'))).toBe(true);
    expect((await registerOutage({ services: ['no_such_service'] })).status).toBe(400);
    expect((await registerOutage({ colour: 'red' })).status).toBe(400);
    expect((await registerOutage({ notice: {} })).status).toBe(400);
  });

  it('refuses an area outside the city (422)', async () => {
    const r = await registerOutage({ area: square([10, 10]) });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('outside_city');
  });

  it('refuses unknown and malformed query parameters (400)', async () => {
    expect((await t.json('/api/outages?colour=red')).status).toBe(400);
    expect((await t.json('/api/outages?at=north')).status).toBe(400);
    expect((await t.json('/api/outages?category=heating')).status).toBe(400);
    expect((await t.json('/api/outages?service=nope')).status).toBe(400);
    expect((await t.json('/api/outages/abc')).status).toBe(400);
    expect((await t.json('/api/outages/999999999')).status).toBe(404);
  });

  it('lets only dispatchers, supervisors and admins write (401, 403)', async () => {
    const anon = await t.json('/api/outages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(anon.status).toBe(401);
    const executor = await t.login('executor');
    expect((await registerOutage({}, executor)).status).toBe(403);
    const official = await t.login('official');
    expect((await registerOutage({}, official)).status).toBe(403);
  });
});
