import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';
import { lifecycleKit } from '../helpers/lifecycle.ts';

const t = testApp();
const { kit, post, create, version, must, inStatus, count } = lifecycleKit(t, 3);

/** Metres → degrees of latitude/longitude around Taraz (lat ≈ 42.9°). */
const M_LAT = 1 / 110_540;
const M_LNG = 1 / (111_320 * Math.cos((42.9 * Math.PI) / 180));

/**
 * A point in the supervisor's district with no open appeal of `category`'s sphere within `clear`
 * metres (so the test sees only its own appeals), at least 450 m inside the district, away from
 * its inner point (where the other lifecycle files register theirs), and with no address of the
 * gazetteer within `placesClear` metres: duplicates at the caller's building come first, so a real
 * house nearby would reorder the candidates a test lays out by distance.
 */
async function emptySpot(category: string, clear = 600, placesClear = 80): Promise<[number, number]> {
  const { rows } = await t.pool.query(
    `WITH d AS (SELECT geom FROM districts WHERE code = $1),
          pts AS (SELECT (ST_Dump(ST_GeneratePoints(d.geom, 300, $2))).geom AS g FROM d)
     SELECT ST_X(g) AS lng, ST_Y(g) AS lat FROM pts, d
      WHERE ST_Distance(ST_Boundary(d.geom)::geography, g::geography) > 450
        AND ST_Distance(g::geography, ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography) > 600
        AND NOT EXISTS (SELECT 1 FROM incidents i JOIN categories c ON c.id = i.category_id
                         WHERE i.is_open AND i.geom && ST_Expand(g, 0.01) AND c.sphere_id = (SELECT sphere_id FROM categories WHERE code = $5)
                           AND ST_DWithin(i.geom::geography, g::geography, $6))
        AND NOT EXISTS (SELECT 1 FROM places p WHERE p.geom && ST_Expand(g, 0.01)
                           AND ST_DWithin(p.geom::geography, g::geography, $7))
      LIMIT 1`,
    [kit.inside.code, Math.floor(Math.random() * 1e6) + 1, kit.inside.lng, kit.inside.lat, category, clear, placesClear],
  );
  if (!rows[0]) throw new Error(`no point free of ${category} appeals and addresses in ${kit.inside.code}`);
  return [rows[0].lng, rows[0].lat];
}

const at = (lng: number, lat: number, eastM = 0, northM = 0) => ({
  type: 'Point',
  coordinates: [lng + eastM * M_LNG, lat + northM * M_LAT],
});

describe('duplicates', () => {
  it('finds open appeals of the same category or sphere within the radius, nearest first', async () => {
    const [lng, lat] = await emptySpot('lighting');
    // lighting: radius 100 m, window 72 h.
    const near = await create({ category: 'lighting', location: at(lng, lat, 30, 0) });
    const nearer = await create({ category: 'lighting.exposed_wires', location: at(lng, lat, 0, 10) });
    const far = await create({ category: 'lighting', location: at(lng, lat, 400, 0) });
    const other = await create({ category: 'roads.pothole', location: at(lng, lat, 5, 5) });
    const done = await create({ category: 'lighting', location: at(lng, lat, -20, 0) });
    await must(done.id, 'dispatcher', { to: 'rejected', reason: 'spam' });

    const res = await t.json(`/api/incidents/duplicates?category=lighting&lng=${lng}&lat=${lat}`, {
      headers: { cookie: kit.cookie.dispatcher },
    });
    expect(res.status).toBe(200);
    const found = res.body.duplicates;
    expect(found.map((d: any) => d.id)).toEqual([nearer.id, near.id]);
    expect(found[0]).toMatchObject({ number: nearer.number, same_category: false, status: 'assigned', category: 'lighting.exposed_wires' });
    expect(found[0].distance_m).toBeCloseTo(10, 0);
    expect(found[1].distance_m).toBeCloseTo(30, 0);
    for (const id of [far.id, other.id, done.id]) expect(found.map((d: any) => d.id)).not.toContain(id);
    expect(JSON.stringify(found)).not.toMatch(/Тест Тестов|\+7 701/);

    // Intake answers the same candidates for the new appeal.
    const fresh = await create({ category: 'lighting', location: at(lng, lat) });
    expect(fresh.duplicates.map((d: any) => d.id)).toEqual([nearer.id, near.id]);
  });

  it('offers open work of the same kind whatever its age, related kinds only within the window, never a resolved one', async () => {
    const [lng, lat] = await emptySpot('lighting');
    // lighting.dark.one_lamp: its parent lighting.dark is a category, so lighting.dark.whole_street is related;
    // lighting.daytime sits under the sphere only, so it is another problem.
    const old = await create({ category: 'lighting.dark.one_lamp', location: at(lng, lat, 10, 0) });
    const oldSibling = await create({ category: 'lighting.dark.whole_street', location: at(lng, lat, 0, 15) });
    const sibling = await create({ category: 'lighting.dark.whole_street', location: at(lng, lat, -20, 0) });
    const unrelated = await create({ category: 'lighting.daytime', location: at(lng, lat, 0, -25) });
    const resolved = await inStatus('resolved', kit.inside, { category: 'lighting.dark.one_lamp', location: at(lng, lat, 5, 5) });
    // a week old: beyond the kind's window, still being worked on
    await t.pool.query(`UPDATE incidents SET created_at = now() - interval '8 days' WHERE id = ANY($1)`, [[old.id, oldSibling.id]]);

    const res = await t.json(`/api/incidents/duplicates?category=lighting.dark.one_lamp&lng=${lng}&lat=${lat}`, {
      headers: { cookie: kit.cookie.dispatcher },
    });
    expect(res.status).toBe(200);
    const ids = res.body.duplicates.map((d: any) => d.id);
    expect(ids).toEqual([old.id, sibling.id]);
    for (const id of [oldSibling.id, unrelated.id, resolved.id]) expect(ids).not.toContain(id);
  });

  it('offers an appeal at the same building before a nearer one at the next building', async () => {
    // No address of the gazetteer nearby (emptySpot): the two test houses are the nearest ones.
    const [lng, lat] = await emptySpot('lighting');
    // Two houses of the gazetteer: P one metre west of the new call, Q six metres north of it.
    const house = (eastM: number, northM: number, n: string) =>
      t.pool.query(
        `INSERT INTO places (source, kind, street, housenumber, street_key, house_key, geom)
         VALUES ('test-duplicates', 'address', 'Тестовая', $1, 'тестовая', $1, ST_SetSRID(ST_MakePoint($2, $3), 4326))`,
        [n, lng + eastM * M_LNG, lat + northM * M_LAT],
      );
    await house(-1, 0, '1');
    await house(0, 6, '2');
    const sameHouse = await create({ category: 'lighting', location: at(lng, lat, -8, 0) }); // 7 m from P, 8 m away
    const nextHouse = await create({ category: 'lighting', location: at(lng, lat, 0, 5) }); // 1 m from Q, 5 m away
    try {
      const res = await t.json(`/api/incidents/duplicates?category=lighting&lng=${lng}&lat=${lat}`, {
        headers: { cookie: kit.cookie.dispatcher },
      });
      expect(res.status).toBe(200);
      expect(res.body.duplicates.map((d: any) => [d.id, d.same_building])).toEqual([
        [sameHouse.id, true],
        [nextHouse.id, false],
      ]);
    } finally {
      await t.pool.query(`DELETE FROM places WHERE source = 'test-duplicates'`);
    }
  });

  it('checks its parameters and who asks', async () => {
    const q = `category=lighting&lng=${kit.inside.lng}&lat=${kit.inside.lat}`;
    expect((await t.json(`/api/incidents/duplicates?${q}`)).status).toBe(401);
    expect((await t.json(`/api/incidents/duplicates?${q}`, { headers: { cookie: kit.cookie.executor } })).status).toBe(403);
    const missing = await t.json('/api/incidents/duplicates?category=lighting', { headers: { cookie: kit.cookie.dispatcher } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/lng/);
    const unknown = await t.json(`/api/incidents/duplicates?category=nope&lng=71.4&lat=42.9`, {
      headers: { cookie: kit.cookie.supervisor },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('category');
  });
});

describe('POST /api/incidents/:id/merge', () => {
  it('rejects the child as a duplicate, grows the parent, and gives it the child’s reporters', async () => {
    const parent = await create({ reporter: { name: 'Родитель', phone: '+7 705 000 00 01' } });
    const child = await create({ reporter: { name: 'Ребёнок', phone: '+7 705 000 00 02' } });
    const res = await post(`/api/incidents/${child.id}/merge`, { into: parent.id, version: 1 }, kit.cookie.dispatcher);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      parent: { id: parent.id, reporter_count: 2, version: 2 },
      merged: [{ id: child.id, number: child.number }],
    });
    const c = (await t.pool.query('SELECT status, resolution, parent_id, version, closed_at FROM incidents WHERE id = $1', [child.id]))
      .rows[0];
    expect(c).toMatchObject({ status: 'rejected', resolution: 'duplicate', parent_id: parent.id, version: 2 });
    expect(c.closed_at).not.toBeNull();
    const d = (await t.json(`/api/incidents/${parent.id}`, { headers: { cookie: kit.cookie.dispatcher } })).body;
    expect(d.reporters.map((r: any) => [r.name, r.incident_id])).toEqual([
      ['Родитель', parent.id],
      ['Ребёнок', child.id],
    ]);
    expect(d.events.at(-1)).toMatchObject({ action: 'merged', actor_login: 'dispatcher' });
    expect((await t.json(`/api/incidents/${child.id}`)).body.events.at(-1)).toMatchObject({ action: 'transition', to_status: 'rejected' });
  });

  it('keeps the tree one level deep: merging a parent moves its duplicates along', async () => {
    const a = await create();
    const b = await create();
    const top = await create();
    await post(`/api/incidents/${b.id}/merge`, { into: a.id, version: 1 }, kit.cookie.dispatcher);
    // A duplicate does not collect duplicates.
    const intoChild = await post(`/api/incidents/${top.id}/merge`, { into: b.id, version: 1 }, kit.cookie.dispatcher);
    expect(intoChild.status).toBe(409);
    expect(intoChild.body.error.details[0].parent_id).toBe(a.id);
    const res = await post(`/api/incidents/${a.id}/merge`, { into: top.id, version: await version(a.id) }, kit.cookie.supervisor);
    expect(res.status).toBe(200);
    expect(res.body.parent.reporter_count).toBe(3);
    const parents = (await t.pool.query('SELECT id, parent_id FROM incidents WHERE id = ANY($1) ORDER BY id', [[a.id, b.id]])).rows;
    expect(parents.map((r) => r.parent_id)).toEqual([top.id, top.id]);
    const reporters = (await t.json(`/api/incidents/${top.id}`, { headers: { cookie: kit.cookie.admin } })).body.reporters;
    expect(reporters).toHaveLength(3);
  });

  it('answers 409 for a stale version or a closed target, 400 for itself, 403 out of scope or role', async () => {
    const p = await create();
    const c = await create();
    expect((await post(`/api/incidents/${c.id}/merge`, { into: p.id, version: 7 }, kit.cookie.dispatcher)).body.error.code).toBe(
      'stale_version',
    );
    expect((await post(`/api/incidents/${c.id}/merge`, { into: c.id, version: 1 }, kit.cookie.dispatcher)).status).toBe(400);
    expect((await post(`/api/incidents/${c.id}/merge`, { into: p.id, version: 1 }, kit.cookie.executor)).status).toBe(403);
    expect((await post(`/api/incidents/${c.id}/merge`, { into: 999999999, version: 1 }, kit.cookie.dispatcher)).status).toBe(404);
    const closed = await inStatus('closed');
    const toClosed = await post(`/api/incidents/${c.id}/merge`, { into: closed.id, version: 1 }, kit.cookie.dispatcher);
    expect(toClosed.status).toBe(409);
    const outside = await create({}, kit.outside);
    expect((await post(`/api/incidents/${outside.id}/merge`, { into: p.id, version: 1 }, kit.cookie.supervisor)).status).toBe(403);
    // A dispatcher may not reject work in progress, so may not merge it either.
    const busy = await inStatus('in_progress');
    const res = await post(`/api/incidents/${busy.id}/merge`, { into: p.id, version: await version(busy.id) }, kit.cookie.dispatcher);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('illegal_transition');
    expect(await version(p.id)).toBe(1);
    expect(await version(c.id)).toBe(1);
  });
});

describe('POST /api/incidents/group', () => {
  it('groups forty calls about one block into one incident in one action', async () => {
    const [lng, lat] = await emptySpot('heating');
    // The executor's service picked at intake (otherwise routed there, maybe the same service: issue 18), so the executor works on it.
    const parent = await create({
      type: 'incident',
      category: 'heating.no_heating.building',
      location: at(lng, lat),
      service: kit.executorService,
    });
    expect(parent.status).toBe('assigned');
    const calls = [];
    for (let i = 0; i < 40; i++) {
      calls.push(
        await create({
          category: 'heating.no_heating.building',
          location: at(lng, lat, (i % 7) * 3, Math.floor(i / 7) * 3),
          reporter: { name: `Житель ${i}`, phone: `+7 700 000 ${String(i).padStart(4, '0')}` },
        }),
      );
    }
    const res = await post('/api/incidents/group', { parent: parent.id, children: calls.map((c) => c.id) }, kit.cookie.supervisor);
    expect(res.status).toBe(200);
    expect(res.body.parent.reporter_count).toBe(41);
    expect(res.body.merged).toHaveLength(40);
    const n = await count(
      `SELECT count(*)::int AS n FROM incidents WHERE parent_id = $1 AND status = 'rejected' AND resolution = 'duplicate'`,
      [parent.id],
    );
    expect(n).toBe(40);
    expect(await count(`SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND action = 'merged'`, [parent.id])).toBe(
      40,
    );
    // Everyone who called is reached when it is fixed.
    await must(parent.id, 'executor', { to: 'in_progress' });
    await must(parent.id, 'executor', { to: 'resolved', note: 'Отопление восстановлено' });
    expect(await count('SELECT count(*)::int AS n FROM incident_feedback_tokens WHERE incident_id = $1', [parent.id])).toBe(41);
  });

  it('changes nothing when one of the children cannot be attached', async () => {
    const parent = await create();
    const good = [await create(), await create(), await create()];
    const closed = await inStatus('closed');
    const ids = [...good.map((g) => g.id), closed.id];
    const snapshot = async () =>
      (
        await t.pool.query('SELECT id, status, version, parent_id, reporter_count FROM incidents WHERE id = ANY($1) ORDER BY id', [
          [parent.id, ...ids],
        ])
      ).rows;
    const before = await snapshot();
    const events = await count('SELECT count(*)::int AS n FROM incident_events WHERE incident_id = ANY($1)', [[parent.id, ...ids]]);
    const res = await post('/api/incidents/group', { parent: parent.id, children: ids }, kit.cookie.dispatcher);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain(closed.number);
    expect(await snapshot()).toEqual(before);
    expect(await count('SELECT count(*)::int AS n FROM incident_events WHERE incident_id = ANY($1)', [[parent.id, ...ids]])).toBe(events);
    const missing = await post('/api/incidents/group', { parent: parent.id, children: [good[0].id, 999999999] }, kit.cookie.dispatcher);
    expect(missing.status).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  it('groups by area: the open appeals of the parent’s category within the circle', async () => {
    const [lng, lat] = await emptySpot('roads');
    const parent = await create({ category: 'roads.collapse', type: 'incident', location: at(lng, lat) });
    const inside = [
      await create({ category: 'roads.collapse', location: at(lng, lat, 20, 0) }),
      await create({ category: 'roads.collapse', location: at(lng, lat, 0, -25) }),
    ];
    const otherKind = await create({ category: 'roads.pothole', location: at(lng, lat, 10, 10) });
    const beyond = await create({ category: 'roads.collapse', location: at(lng, lat, 200, 0) });
    const res = await post('/api/incidents/group', { parent: parent.id, within_m: 60 }, kit.cookie.dispatcher);
    expect(res.status).toBe(200);
    expect(res.body.merged.map((m: any) => m.id).sort()).toEqual(inside.map((i) => i.id).sort());
    for (const id of [otherKind.id, beyond.id]) expect(await version(id)).toBe(1);
    const both = await post('/api/incidents/group', { parent: parent.id, within_m: 60, children: [otherKind.id] }, kit.cookie.dispatcher);
    expect(both.status).toBe(400);
  });
});

describe('GET /api/control', () => {
  it('shows overdue, bounced and escalated appeals with age, lateness and risk', async () => {
    const marker = `control-${Date.now()}`;
    const late = await create({ category: 'manholes.open.water', type: 'incident', description: `${marker} late` });
    await t.pool.query(
      `UPDATE incidents SET created_at = created_at - interval '10 hours', due_at = due_at - interval '10 hours' WHERE id = $1`,
      [late.id],
    );
    const bounced = await inStatus('assigned', kit.inside, { description: `${marker} bounced` });
    for (const service of [kit.otherService, kit.executorService, kit.otherService]) {
      await must(bounced.id, 'supervisor', { to: 'assigned', service });
    }
    const escalated = await create({ description: `${marker} escalated` });
    await post(`/api/incidents/${escalated.id}/escalate`, { version: 1, note: 'Срочно' }, kit.cookie.supervisor);
    const resolved = await inStatus('resolved', kit.inside, { description: `${marker} done` });

    const res = await t.json(`/api/control?q=${marker}`, { headers: { cookie: kit.cookie.supervisor } });
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({ open: 3, overdue: 1, bounced: 1, escalated: 1, at_risk: expect.any(Number) });
    const items = new Map(res.body.items.map((i: any) => [i.id, i]));
    expect(items.has(resolved.id)).toBe(false);
    const l: any = items.get(late.id);
    expect(l).toMatchObject({ overdue: true, risk: { p: 1, basis: 'overdue' } });
    // what a work list needs to act on: where and what
    expect(l).toMatchObject({ address: 'ул. Толе би, 1', description: `${marker} late` });
    expect(l.overdue_h).toBeCloseTo(6, 0);
    expect(l.age_h).toBeCloseTo(10, 0);
    expect(items.get(bounced.id)).toMatchObject({ bounced: true, reassign_count: 3, overdue: false, overdue_h: null });
    expect(items.get(escalated.id)).toMatchObject({ escalation_level: 1 });
    // Sorted by risk, the overdue appeal comes first.
    expect(res.body.items[0].id).toBe(late.id);
    for (const i of res.body.items) if (i.risk) expect(i.risk.p).toBeGreaterThanOrEqual(0);

    const only = async (what: string) =>
      (await t.json(`/api/control?q=${marker}&only=${what}`, { headers: { cookie: kit.cookie.supervisor } })).body.items.map(
        (i: any) => i.id,
      );
    expect(await only('overdue')).toEqual([late.id]);
    expect(await only('bounced')).toEqual([bounced.id]);
    expect(await only('escalated')).toEqual([escalated.id]);

    // The same risk is in the appeal's detail.
    const detail = (await t.json(`/api/incidents/${late.id}`)).body.properties;
    expect(detail.risk).toEqual({ p: 1, basis: 'overdue', n: 0 });
    expect((await t.json(`/api/incidents/${bounced.id}`)).body.properties.bounced).toBe(true);
  });

  it('estimates risk from the history of similar appeals for appeals not yet late', async () => {
    const res = await t.json('/api/control?sort=risk&limit=1000', { headers: { cookie: kit.cookie.admin } });
    expect(res.status).toBe(200);
    const judged = res.body.items.filter((i: any) => i.risk && i.risk.basis !== 'overdue');
    expect(judged.length).toBeGreaterThan(0);
    for (const i of judged) {
      expect(i.risk.p).toBeGreaterThanOrEqual(0);
      expect(i.risk.p).toBeLessThanOrEqual(1);
      expect(['category_district', 'category', 'sphere']).toContain(i.risk.basis);
      expect(i.risk.n).toBeGreaterThanOrEqual(10);
    }
    const ps = res.body.items.map((i: any) => i.risk?.p ?? -1);
    expect([...ps].sort((a, b) => b - a)).toEqual(ps);
    const total = res.body.by_service.reduce((a: number, s: any) => a + s.open, 0);
    expect(total).toBe(res.body.summary.open);
  });

  it('keeps supervisors to their districts and executors to their service; officials read, displays do not', async () => {
    const sup = (await t.json('/api/control?limit=1000', { headers: { cookie: kit.cookie.supervisor } })).body;
    const me = (await t.json('/api/auth/me', { headers: { cookie: kit.cookie.supervisor } })).body.user;
    const codes = new Set((await t.pool.query('SELECT code FROM districts WHERE id = ANY($1)', [me.districtIds])).rows.map((r) => r.code));
    expect(sup.items.length).toBeGreaterThan(0);
    for (const i of sup.items) expect(codes.has(i.district)).toBe(true);
    const exe = (await t.json('/api/control?limit=1000', { headers: { cookie: kit.cookie.executor } })).body;
    for (const i of exe.items) expect(i.service).toBe(kit.executorService);
    expect((await t.json('/api/control', { headers: { cookie: kit.cookie.official } })).status).toBe(200);
    expect((await t.json('/api/control', { headers: { cookie: kit.cookie.display } })).status).toBe(403);
    expect((await t.json('/api/control')).status).toBe(401);
    expect((await t.json('/api/control?only=late', { headers: { cookie: kit.cookie.admin } })).status).toBe(400);
  });
});
