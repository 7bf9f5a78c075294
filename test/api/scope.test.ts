import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';
import { lifecycleKit } from '../helpers/lifecycle.ts';

/**
 * Scope: a supervisor works in their districts, an executor on their service's appeals
 * (server/auth/matrix.ts). Neither merges, groups, reads reporters, exports nor finds duplicates
 * beyond it, and a refused change leaves the database exactly as it was.
 */
const t = testApp();
const { kit, post, create, version, count } = lifecycleKit(t, 15);

// Appeals registered after this moment (by this file or others) stay out of the export counts.
const until = new Date().toISOString();
let supervisor: { id: number; districtIds: number[] };
let executor: { id: number; serviceId: number };

beforeAll(async () => {
  supervisor = (await t.json('/api/auth/me', { headers: { cookie: kit.cookie.supervisor } })).body.user;
  executor = (await t.json('/api/auth/me', { headers: { cookie: kit.cookie.executor } })).body.user;
});

/** Everything a merge changes on an appeal: its row, its events and its reporters' reads. */
async function snapshot(ids: number[]) {
  const rows = await t.pool.query(
    `SELECT i.id, i.version, i.status, i.parent_id, i.reporter_count, i.updated_at,
            (SELECT count(*)::int FROM incident_events e WHERE e.incident_id = i.id) AS events,
            (SELECT count(*)::int FROM incidents c WHERE c.parent_id = i.id) AS children
       FROM incidents i WHERE i.id = ANY($1::bigint[]) ORDER BY i.id`,
    [ids],
  );
  return rows.rows;
}

const reads = (userId: number, incidentId: number) =>
  count('SELECT count(*)::int AS n FROM personal_data_reads WHERE user_id = $1 AND incident_id = $2', [userId, incidentId]);

describe('merge and group stay within the scope at both ends', () => {
  it('refuses a supervisor’s merge into an appeal of another district, and changes nothing', async () => {
    const child = await create();
    const parent = await create({}, kit.outside);
    const before = await snapshot([child.id, parent.id]);
    const res = await post(`/api/incidents/${child.id}/merge`, { into: parent.id, version: 1 }, kit.cookie.supervisor);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'forbidden', details: [{ path: 'into', id: parent.id }] });
    expect(await snapshot([child.id, parent.id])).toEqual(before);
    // And the other way round: an appeal of another district into one of theirs.
    const back = await post(`/api/incidents/${parent.id}/merge`, { into: child.id, version: 1 }, kit.cookie.supervisor);
    expect(back.status).toBe(403);
    expect(await snapshot([child.id, parent.id])).toEqual(before);
    // Within their districts the same merge goes through.
    const inside = await create();
    const ok = await post(`/api/incidents/${child.id}/merge`, { into: inside.id, version: 1 }, kit.cookie.supervisor);
    expect(ok.status).toBe(200);
    expect(ok.body.parent).toMatchObject({ id: inside.id, reporter_count: 2, version: 2 });
  });

  it('refuses a supervisor’s group under a parent of another district, listed or by area, and changes nothing', async () => {
    const parent = await create({}, kit.outside);
    const near = await create({ location: { type: 'Point', coordinates: [kit.outside.lng, kit.outside.lat] } }, kit.outside);
    const mine = [await create(), await create()];
    const ids = [parent.id, near.id, ...mine.map((m) => m.id)];
    const before = await snapshot(ids);
    const listed = await post('/api/incidents/group', { parent: parent.id, children: mine.map((m) => m.id) }, kit.cookie.supervisor);
    expect(listed.status).toBe(403);
    expect(listed.body.error.details[0]).toMatchObject({ path: 'parent', id: parent.id });
    const byArea = await post('/api/incidents/group', { parent: parent.id, within_m: 2000 }, kit.cookie.supervisor);
    expect(byArea.status).toBe(403);
    expect(await snapshot(ids)).toEqual(before);
  });

  it('refuses a group whose listed children are partly outside, and changes nothing', async () => {
    const parent = await create();
    const inside = await create();
    const outside = await create({}, kit.outside);
    const ids = [parent.id, inside.id, outside.id];
    const before = await snapshot(ids);
    const res = await post('/api/incidents/group', { parent: parent.id, children: [inside.id, outside.id] }, kit.cookie.supervisor);
    expect(res.status).toBe(403);
    expect(res.body.error.details[0]).toMatchObject({ path: 'children', id: outside.id });
    expect(await snapshot(ids)).toEqual(before);
    // A dispatcher's scope is the whole city.
    const all = await post('/api/incidents/group', { parent: parent.id, children: [inside.id, outside.id] }, kit.cookie.dispatcher);
    expect(all.status).toBe(200);
    expect(all.body.parent.reporter_count).toBe(3);
  });
});

describe('reporters of merged duplicates', () => {
  it('shows a supervisor only the reporters of duplicates in their districts, and logs the read per appeal shown', async () => {
    const parent = await create({ reporter: { name: 'Родитель Скоупов', phone: '+7 705 100 00 01' } });
    const inChild = await create({ reporter: { name: 'Свой Район', phone: '+7 705 100 00 02' } });
    const outChild = await create({ reporter: { name: 'Чужой Район', phone: '+7 705 100 00 03' } }, kit.outside);
    const grouped = await post('/api/incidents/group', { parent: parent.id, children: [inChild.id, outChild.id] }, kit.cookie.dispatcher);
    expect(grouped.status).toBe(200);

    const res = await t.json(`/api/incidents/${parent.id}`, { headers: { cookie: kit.cookie.supervisor } });
    expect(res.status).toBe(200);
    expect(res.body.reporters.map((r: any) => [r.name, r.incident_id])).toEqual([
      ['Родитель Скоупов', parent.id],
      ['Свой Район', inChild.id],
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(/Чужой Район|\+7 705 100 00 03/);
    expect(await reads(supervisor.id, parent.id)).toBe(1);
    expect(await reads(supervisor.id, inChild.id)).toBe(1);
    expect(await reads(supervisor.id, outChild.id)).toBe(0);
    // The out-of-district duplicate itself shows the supervisor no reporters, and logs nothing.
    const direct = await t.json(`/api/incidents/${outChild.id}`, { headers: { cookie: kit.cookie.supervisor } });
    expect(direct.body.reporters).toBeUndefined();
    expect(await reads(supervisor.id, outChild.id)).toBe(0);

    // The dispatcher works city-wide: all three, each read logged.
    const dispatcher = (await t.json('/api/auth/me', { headers: { cookie: kit.cookie.dispatcher } })).body.user;
    const all = await t.json(`/api/incidents/${parent.id}`, { headers: { cookie: kit.cookie.dispatcher } });
    expect(all.body.reporters.map((r: any) => r.incident_id)).toEqual([parent.id, inChild.id, outChild.id]);
    for (const id of [parent.id, inChild.id, outChild.id]) expect(await reads(dispatcher.id, id)).toBe(1);
    // An official reads no personal data at all.
    const official = await t.json(`/api/incidents/${parent.id}`, { headers: { cookie: kit.cookie.official } });
    expect(official.body.reporters).toBeUndefined();
  });
});

/** An export as rows of [number, district, service]. */
async function exported(role: 'supervisor' | 'executor' | 'official', format: 'csv' | 'geojson') {
  const res = await t.request(`/api/exports/incidents.${format}?to=${encodeURIComponent(until)}`, {
    headers: { cookie: kit.cookie[role] },
  });
  expect(res.status).toBe(200);
  const text = await res.text();
  if (format === 'csv') return (parse(text, { bom: true }) as string[][]).slice(1).map((r) => [r[0], r[7], r[8]]);
  return JSON.parse(text).features.map((f: any) => [f.properties.number, f.properties.district, f.properties.service]);
}

describe('exports and duplicates apply the scope', () => {
  it('exports a supervisor’s districts and an executor’s service only, an official’s everything', async () => {
    const { rows: mine } = await t.pool.query(`SELECT code FROM districts WHERE id = ANY($1::int[])`, [supervisor.districtIds]);
    const { rows: svc } = await t.pool.query(`SELECT code FROM services WHERE id = $1`, [executor.serviceId]);
    const inDistricts = await count(`SELECT count(*)::int AS n FROM incidents WHERE created_at < $1 AND district_id = ANY($2::int[])`, [
      until,
      supervisor.districtIds,
    ]);
    const ofService = await count(`SELECT count(*)::int AS n FROM incidents WHERE created_at < $1 AND service_id = $2`, [
      until,
      executor.serviceId,
    ]);
    const everything = await count(`SELECT count(*)::int AS n FROM incidents WHERE created_at < $1`, [until]);
    expect(inDistricts).toBeGreaterThan(0);
    expect(inDistricts).toBeLessThan(everything);
    expect(ofService).toBeGreaterThan(0);
    expect(ofService).toBeLessThan(everything);

    for (const format of ['csv', 'geojson'] as const) {
      const sup = await exported('supervisor', format);
      expect(sup).toHaveLength(inDistricts);
      expect(new Set(sup.map((r: string[]) => r[1]))).toEqual(new Set(mine.map((r) => r.code)));
      const exe = await exported('executor', format);
      expect(exe).toHaveLength(ofService);
      expect(new Set(exe.map((r: string[]) => r[2]))).toEqual(new Set([svc[0].code]));
    }
    expect(await exported('official', 'csv')).toHaveLength(everything);
  });

  it('finds a supervisor duplicates in their districts only; executors find none', async () => {
    const outside = await create({}, kit.outside);
    const inside = await create();
    const at = (a: { id: number }) => t.pool.query('SELECT ST_X(geom) AS lng, ST_Y(geom) AS lat FROM incidents WHERE id = $1', [a.id]);
    const ask = async (a: { id: number }, role: 'supervisor' | 'dispatcher' | 'executor') => {
      const { lng, lat } = (await at(a)).rows[0];
      return t.json(`/api/incidents/duplicates?category=roads.pothole&lng=${lng}&lat=${lat}`, { headers: { cookie: kit.cookie[role] } });
    };
    const ids = (res: { body: any }) => res.body.duplicates.map((d: any) => d.id);
    expect(ids(await ask(outside, 'dispatcher'))).toContain(outside.id);
    const sup = await ask(outside, 'supervisor');
    expect(sup.status).toBe(200);
    expect(ids(sup)).not.toContain(outside.id);
    const { rows } = await t.pool.query('SELECT DISTINCT district_id FROM incidents WHERE id = ANY($1::bigint[])', [ids(sup)]);
    for (const r of rows) expect(supervisor.districtIds).toContain(r.district_id);
    expect(ids(await ask(inside, 'supervisor'))).toContain(inside.id);
    expect((await ask(inside, 'executor')).status).toBe(403);
    expect(await version(outside.id)).toBe(1);
  });
});
