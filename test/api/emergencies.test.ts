import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';
import { lifecycleKit } from '../helpers/lifecycle.ts';

const t = testApp();
const { kit, post, create, must, count } = lifecycleKit(t, 23);

const pack = JSON.parse(readFileSync(new URL('../../geodata/taraz/first-measures.json', import.meta.url), 'utf8'));
const codesOf = (cat: string): string[] => pack.checklists[cat].map((m: { code: string }) => m.code);

const measures = (id: number, cookie = kit.cookie.dispatcher) => t.json(`/api/incidents/${id}/measures`, { headers: { cookie } });
const tick = (id: number, body: unknown, cookie = kit.cookie.dispatcher) => post(`/api/incidents/${id}/measures`, body, cookie);
const handOver = (id: number, body: unknown, cookie = kit.cookie.dispatcher) => post(`/api/incidents/${id}/handovers`, body, cookie);
const ack = (id: number, cookie = kit.cookie.dispatcher) => post(`/api/incidents/${id}/acknowledge`, {}, cookie);
const events = async (id: number, action: string) =>
  count('SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND action = $2', [id, action]);

describe('the checklist comes from the city pack', () => {
  it("lists the category's measures in the pack's order, in kk/ru/en, none done", async () => {
    const a = await create({ type: 'incident', category: 'gas.smell' });
    const res = await measures(a.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: a.id, number: a.number, emergency: true, acknowledged: null, handovers: [] });
    expect(res.body.measures.map((m: any) => m.code)).toEqual(codesOf('gas.smell'));
    const first = res.body.measures[0];
    expect(first.name).toEqual(pack.checklists['gas.smell'][0].name);
    expect(res.body.measures.every((m: any) => m.done === false && m.done_at === null)).toBe(true);
    expect(res.body.measures.find((m: any) => m.code === 'handover_104').handover).toBe('104');
    expect(res.body.services.map((s: any) => s.code)).toEqual(Object.keys(pack.services));
  });

  it("gives a kind its nearest ancestor's checklist, and an ordinary appeal none", async () => {
    const kind = await create({ type: 'incident', category: 'heating.no_heating.building' });
    expect((await measures(kind.id)).body.measures.map((m: any) => m.code)).toEqual(codesOf('heating.no_heating'));
    const pothole = await create();
    const res = await measures(pothole.id);
    expect(res.body).toMatchObject({ emergency: false, measures: [] });
    const refused = await tick(pothole.id, { measure: 'fence', done: true });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('conflict');
  });
});

describe('ticking measures', () => {
  it('records each tick with its time and who, as an event; a repeat changes nothing; untick undoes it', async () => {
    const a = await create({ type: 'incident', category: 'gas.smell' });
    const before = Date.now();
    const r1 = await tick(a.id, { measure: 'no_fire', done: true });
    expect(r1.status).toBe(200);
    expect(r1.body.changed).toBe(true);
    const m = r1.body.measures.find((x: any) => x.code === 'no_fire');
    expect(m).toMatchObject({ done: true, done_by: 'dispatcher' });
    expect(Date.parse(m.done_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(await events(a.id, 'measure_done')).toBe(1);

    const again = await tick(a.id, { measure: 'no_fire', done: true });
    expect(again.status).toBe(200);
    expect(again.body.changed).toBe(false);
    expect(again.body.measures.find((x: any) => x.code === 'no_fire').done_at).toBe(m.done_at);
    expect(await events(a.id, 'measure_done')).toBe(1);

    // A time given by the desk is kept as given.
    const when = new Date(Date.now() - 5 * 60_000);
    when.setMilliseconds(0);
    const r2 = await tick(a.id, { measure: 'ventilate', done: true, at: when.toISOString() }, kit.cookie.supervisor);
    expect(r2.body.measures.find((x: any) => x.code === 'ventilate')).toMatchObject({ done_at: when.toISOString(), done_by: 'supervisor' });

    const off = await tick(a.id, { measure: 'no_fire', done: false });
    expect(off.body.changed).toBe(true);
    expect(off.body.measures.find((x: any) => x.code === 'no_fire')).toMatchObject({ done: false, done_at: null, done_by: null });
    expect(await events(a.id, 'measure_undone')).toBe(1);
    // The history shows the ticks to those who read the appeal.
    const full = await t.json(`/api/incidents/${a.id}`, { headers: { cookie: kit.cookie.dispatcher } });
    expect(full.body.events.map((e: any) => e.action)).toEqual(expect.arrayContaining(['measure_done', 'measure_undone']));
  });

  it('refuses bad input with the JSON error shape', async () => {
    const a = await create({ type: 'incident', category: 'gas.smell' });
    const cases: [unknown, number][] = [
      [{ measure: 'nope', done: true }, 400],
      [{ measure: 'no_fire', done: true, at: new Date(Date.now() + 3_600_000).toISOString() }, 400],
      [{ measure: 'no_fire', done: true, at: '2020-01-01T00:00:00Z' }, 400],
      [{ measure: 'no_fire', done: true, at: 'yesterday' }, 400],
      [{ measure: 'no_fire', done: 'yes' }, 400],
      [{ measure: 'no_fire', done: true, extra: 1 }, 400],
      [{ measure: "x'; DROP TABLE incidents; --", done: true }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await tick(a.id, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.code).toBeTypeOf('string');
      expect(JSON.stringify(res.body)).not.toMatch(/SELECT|INSERT|at .*\.ts:/);
    }
    const ho = await tick(a.id, { measure: 'handover_104', done: true });
    expect(ho.status).toBe(409);
    expect(ho.body.error.code).toBe('handover_required');
    expect(await count('SELECT count(*)::int AS n FROM incident_measures WHERE incident_id = $1', [a.id])).toBe(0);
    expect((await t.json('/api/incidents/999999999/measures', { headers: { cookie: kit.cookie.dispatcher } })).status).toBe(404);
  });
});

describe('hand-overs to emergency services', () => {
  it('records the service, the time and the operator, ticks the hand-over measure, and never shows the operator publicly', async () => {
    const a = await create({ type: 'incident', category: 'gas.smell' });
    const at = new Date(Date.now() - 2 * 60_000);
    at.setMilliseconds(0);
    const body = { service: '104', operator: 'Оператор Байжанова Г.', at: at.toISOString(), note: 'бригада выехала' };
    const res = await handOver(a.id, body);
    expect(res.status).toBe(201);
    expect(res.body.handovers).toHaveLength(1);
    expect(res.body.handovers[0]).toMatchObject({
      service: '104',
      operator: 'Оператор Байжанова Г.',
      handed_at: at.toISOString(),
      by: 'dispatcher',
      note: 'бригада выехала',
    });
    expect(res.body.handovers[0].service_name.ru).toBe(pack.services['104'].ru);
    expect(res.body.measures.find((m: any) => m.code === 'handover_104')).toMatchObject({ done: true, done_at: at.toISOString() });
    expect(await events(a.id, 'handed_over')).toBe(1);

    // The same hand-over again (a retry) is not recorded twice.
    const again = await handOver(a.id, body);
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    expect(await count('SELECT count(*)::int AS n FROM incident_handovers WHERE incident_id = $1', [a.id])).toBe(1);

    // A recorded hand-over is history: its measure cannot be unticked.
    expect((await tick(a.id, { measure: 'handover_104', done: false })).status).toBe(409);

    // Public surfaces: the appeal without a session, and the wall's role.
    for (const cookie of [undefined, kit.cookie.display, kit.cookie.official]) {
      const pub = await t.json(`/api/incidents/${a.id}`, cookie ? { headers: { cookie } } : undefined);
      expect(pub.status).toBe(200);
      expect(JSON.stringify(pub.body)).not.toContain('Байжанова');
      expect(pub.body.events.map((e: any) => e.action)).toContain('handed_over');
    }
  });

  it('refuses an unknown service, an empty operator and a future time', async () => {
    const a = await create({ type: 'incident', category: 'lifts.stuck' });
    for (const body of [
      { service: '999', operator: 'X' },
      { service: 'gas', operator: 'X' },
      { service: '112', operator: '   ' },
      { service: '112', operator: 'x'.repeat(121) },
      { service: '112', operator: 'X', at: new Date(Date.now() + 3_600_000).toISOString() },
    ]) {
      const res = await handOver(a.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBeTypeOf('string');
    }
    expect(await count('SELECT count(*)::int AS n FROM incident_handovers WHERE incident_id = $1', [a.id])).toBe(0);
    // A service the checklist has no measure for is still recorded.
    const res = await handOver(a.id, { service: '103', operator: 'Диспетчер 103 Ким' });
    expect(res.status).toBe(201);
    expect(res.body.measures.every((m: any) => !m.done)).toBe(true);
  });
});

describe('scopes', () => {
  it('lets an executor act only on their service’s appeals and a supervisor only in their districts', async () => {
    const own = await create({ type: 'incident', category: 'gas.smell' });
    await must(own.id, 'admin', { to: 'assigned', service: kit.executorService });
    const other = await create({ type: 'incident', category: 'gas.smell' });
    await must(other.id, 'admin', { to: 'assigned', service: kit.otherService });
    const away = await create({ type: 'incident', category: 'gas.smell' }, kit.outside);

    expect((await measures(own.id, kit.cookie.executor)).status).toBe(200);
    expect((await tick(own.id, { measure: 'no_fire', done: true }, kit.cookie.executor)).status).toBe(200);
    expect((await handOver(own.id, { service: '104', operator: 'Оператор' }, kit.cookie.executor)).status).toBe(201);
    expect((await measures(other.id, kit.cookie.executor)).status).toBe(403);
    expect((await tick(other.id, { measure: 'no_fire', done: true }, kit.cookie.executor)).status).toBe(403);
    expect((await handOver(other.id, { service: '104', operator: 'Оператор' }, kit.cookie.executor)).status).toBe(403);

    expect((await tick(own.id, { measure: 'ventilate', done: true }, kit.cookie.supervisor)).status).toBe(200);
    expect((await measures(away.id, kit.cookie.supervisor)).status).toBe(403);
    expect((await tick(away.id, { measure: 'no_fire', done: true }, kit.cookie.supervisor)).status).toBe(403);
    expect((await ack(away.id, kit.cookie.supervisor)).status).toBe(403);

    for (const cookie of [kit.cookie.official, kit.cookie.display]) {
      expect((await measures(own.id, cookie)).status).toBe(403);
      expect((await tick(own.id, { measure: 'evacuate', done: true }, cookie)).status).toBe(403);
    }
    expect((await t.json(`/api/incidents/${own.id}/measures`)).status).toBe(401);
    expect((await ack(own.id, kit.cookie.executor)).status).toBe(403);
    expect(
      await count('SELECT count(*)::int AS n FROM incident_measures WHERE incident_id = ANY($1::bigint[])', [[other.id, away.id]]),
    ).toBe(0);
  });
});

describe('acknowledging a new emergency', () => {
  it('lists it for the wall until acknowledged, then every wall hears the change', async () => {
    const a = await create({ type: 'incident', category: 'gas.smell', address: 'ул. Толе би, 5' });
    const pending = await t.json('/api/emergencies');
    expect(pending.status).toBe(200);
    const item = pending.body.items.find((i: any) => i.id === a.id);
    // Assigned at intake to the routed service (issue 18): the wall holds it all the same until acknowledged.
    expect(a.status).toBe('assigned');
    expect(item).toMatchObject({ number: a.number, category: 'gas.smell', district: kit.inside.code, status: 'assigned' });
    expect(pending.body.count).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(pending.body)).not.toMatch(/Тест Тестов|\+7 701/);
    expect((await t.json('/api/emergencies?x=1')).status).toBe(400);

    const liveBefore = await count(`SELECT count(*)::int AS n FROM live_events WHERE incident_id = $1 AND kind = 'incident.updated'`, [
      a.id,
    ]);
    const res = await ack(a.id, kit.cookie.supervisor);
    expect(res.status).toBe(200);
    expect(res.body.changed).toBe(true);
    expect(res.body.acknowledged).toMatchObject({ by: 'supervisor' });
    expect(await events(a.id, 'emergency_acknowledged')).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM live_events WHERE incident_id = $1 AND kind = 'incident.updated'`, [a.id])).toBe(
      liveBefore + 1,
    );
    expect((await t.json('/api/emergencies')).body.items.map((i: any) => i.id)).not.toContain(a.id);

    const twice = await ack(a.id);
    expect(twice.status).toBe(200);
    expect(twice.body.changed).toBe(false);
    expect(await events(a.id, 'emergency_acknowledged')).toBe(1);

    const pothole = await create();
    expect((await ack(pothole.id)).status).toBe(409);
    expect((await t.json('/api/emergencies')).body.items.map((i: any) => i.id)).not.toContain(pothole.id);
    expect((await post(`/api/incidents/${a.id}/acknowledge`, { force: true }, kit.cookie.dispatcher)).status).toBe(400);
  });
});
