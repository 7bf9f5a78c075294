import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';
import { lifecycleKit } from '../helpers/lifecycle.ts';
import { seedDemoWorkOrders } from '../../server/seed/work-orders.ts';

// Issue 18: assigned at intake, and work orders of several services on one appeal.
const t = testApp();
const { kit, post, create, must, move, count } = lifecycleKit(t, 18);

const get = (path: string, cookie: string) => t.json(path, { headers: { cookie } });
/** A service's work orders as a co-executor in /api/stats/by-service (today's period). */
const serviceOrders = async (service: string) => {
  const res = await get('/api/stats/by-service', kit.cookie.dispatcher);
  expect(res.status).toBe(200);
  const row = res.body.items.find((r: { code: string }) => r.code === service);
  return (row?.work_orders ?? { open: 0, overdue: 0, done: 0, done_on_time: 0 }) as Record<
    'open' | 'overdue' | 'done' | 'done_on_time',
    number
  >;
};
/** A third service: neither the executor's nor the kit's other one. */
const third = async () =>
  (
    await t.pool.query(`SELECT code FROM services WHERE active AND code <> ALL($1::text[]) ORDER BY code LIMIT 1`, [
      [kit.executorService, kit.otherService],
    ])
  ).rows[0].code as string;

describe('assigned at intake', () => {
  it('gives the appeal to the routed service at once, with its event, in the same transaction', async () => {
    const a = await create();
    expect(a).toMatchObject({ status: 'assigned', version: 1, service: { code: 'roads_main' } });
    const { rows } = await t.pool.query(
      `SELECT e.action, e.from_status, e.to_status, e.data->>'at_intake' AS at_intake, e.at = i.created_at AS same_tx, i.assigned_at = i.created_at AS assigned_now
         FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE e.incident_id = $1 ORDER BY e.id`,
      [a.id],
    );
    expect(rows).toEqual([
      { action: 'created', from_status: null, to_status: 'new', at_intake: null, same_tx: true, assigned_now: true },
      { action: 'transition', from_status: 'new', to_status: 'assigned', at_intake: 'true', same_tx: true, assigned_now: true },
    ]);
  });

  it("sends it to the dispatcher's pick instead, or keeps it for triage", async () => {
    const picked = await create({ service: kit.executorService });
    expect(picked).toMatchObject({ status: 'assigned', service: { code: kit.executorService } });
    const kept = await create({ triage: true });
    expect(kept).toMatchObject({ status: 'new', service: { code: 'roads_main' } });
    expect(await count(`SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1`, [kept.id])).toBe(1);
    // An information request answered on the call stays closed.
    const consulted = await create({ type: 'information_request', answered: true, answer: 'Ответили' });
    expect(consulted.status).toBe('closed');
  });

  it('refuses an unknown service, and triage with a pick', async () => {
    const unknown = await post('/api/incidents', { ...baseIntake(), service: 'no_such_service' }, kit.cookie.dispatcher);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('service');
    const both = await post('/api/incidents', { ...baseIntake(), service: kit.executorService, triage: true }, kit.cookie.dispatcher);
    expect(both.status).toBe(400);
  });

  it('lets the executor of the routed service take it at once', async () => {
    const a = await create({ service: kit.executorService });
    const taken = await must(a.id, 'executor', { to: 'in_progress' });
    expect(taken.properties.status).toBe('in_progress');
  });
});

function baseIntake() {
  return {
    type: 'complaint',
    category: 'roads.pothole',
    channel: 'phone',
    description: 'work orders test',
    location: { type: 'Point', coordinates: [kit.inside.lng, kit.inside.lat] },
  };
}

/** An appeal led by the kit's other service, with a work order for the executor's service. */
async function withOrder(over: Record<string, unknown> = {}) {
  const a = await create({ service: kit.otherService });
  const res = await post(
    `/api/incidents/${a.id}/work-orders`,
    { service: kit.executorService, task: 'Проверить сети', ...over },
    kit.cookie.dispatcher,
  );
  if (res.status !== 201) throw new Error(`work order: ${res.status} ${JSON.stringify(res.body)}`);
  return { a, list: res.body, wo: res.body.work_orders[0] };
}

const act = (id: number, wo: { id: number; version: number }, cookie: string, body: Record<string, unknown>) =>
  post(`/api/incidents/${id}/work-orders/${wo.id}/transitions`, { version: wo.version, ...body }, cookie);

describe('work orders: states and deadlines', () => {
  it('adds a co-executor with the category norm as its deadline, beside the lead', async () => {
    const { a, list, wo } = await withOrder();
    expect(list.lead).toMatchObject({ service: kit.otherService, status: 'open' });
    expect(wo).toMatchObject({
      service: kit.executorService,
      status: 'open',
      task: 'Проверить сети',
      version: 1,
      executor: null,
      overdue: false,
    });
    // roads.pothole's norm counted from the work order's creation, as intake counts it for the appeal.
    const { rows } = await t.pool.query(
      `SELECT extract(epoch FROM (w.due_at - w.created_at) - (i.due_at - i.created_at))::float8 AS gap_s FROM work_orders w JOIN incidents i ON i.id = w.incident_id WHERE w.id = $1`,
      [wo.id],
    );
    expect(Math.abs(rows[0].gap_s)).toBeLessThan(60);
    expect(wo.events.map((e: { action: string; to_status: string }) => [e.action, e.to_status])).toEqual([['created', 'open']]);
    // The listing by GET is the same.
    const read = await get(`/api/incidents/${a.id}/work-orders`, kit.cookie.supervisor);
    expect(read.status).toBe(200);
    expect(read.body.work_orders).toHaveLength(1);
  });

  it('takes a deadline given, refuses one in the past, the lead service, and a second order of one service', async () => {
    const due = new Date(Date.now() + 3 * 3600_000).toISOString();
    const { a, wo } = await withOrder({ due_at: due });
    expect(new Date(wo.due_at).toISOString()).toBe(due);
    const past = await post(
      `/api/incidents/${a.id}/work-orders`,
      { service: await third(), task: 'x', due_at: '2020-01-01T00:00:00Z' },
      kit.cookie.dispatcher,
    );
    expect(past.status).toBe(400);
    const lead = await post(`/api/incidents/${a.id}/work-orders`, { service: kit.otherService, task: 'x' }, kit.cookie.dispatcher);
    expect([lead.status, lead.body.error.code]).toEqual([409, 'already_lead']);
    const again = await post(`/api/incidents/${a.id}/work-orders`, { service: kit.executorService, task: 'x' }, kit.cookie.dispatcher);
    expect([again.status, again.body.error.code]).toEqual([409, 'work_order_exists']);
  });

  it('walks open → in_progress → done with history and executor; released and reopened need a note', async () => {
    const { a, wo } = await withOrder();
    const taken = await act(a.id, wo, kit.cookie.executor, { to: 'in_progress' });
    expect(taken.status).toBe(200);
    const w1 = taken.body.work_orders[0];
    expect(w1).toMatchObject({ status: 'in_progress', executor: 'executor', version: 2 });
    const noNote = await act(a.id, w1, kit.cookie.executor, { to: 'done' });
    expect(noNote.status).toBe(400);
    const before = await serviceOrders(kit.executorService);
    const done = await act(a.id, w1, kit.cookie.executor, { to: 'done', note: 'Сети в порядке' });
    expect(done.body.work_orders[0]).toMatchObject({ status: 'done', note: 'Сети в порядке' });
    // The service's own KPIs count it: one more done (on time), one fewer open.
    const after = await serviceOrders(kit.executorService);
    expect(after.done - before.done).toBe(1);
    expect(after.done_on_time - before.done_on_time).toBe(1);
    expect(before.open - after.open).toBe(1);
    const illegal = await act(a.id, done.body.work_orders[0], kit.cookie.executor, { to: 'in_progress' });
    expect([illegal.status, illegal.body.error.code]).toEqual([409, 'illegal_transition']);
    const stale = await act(a.id, w1, kit.cookie.dispatcher, { to: 'open', note: 'x' });
    expect([stale.status, stale.body.error.code]).toEqual([409, 'stale_version']);
    const reopened = await act(a.id, done.body.work_orders[0], kit.cookie.dispatcher, { to: 'open', note: 'Снова течь' });
    expect(reopened.body.work_orders[0].status).toBe('open');
    expect(reopened.body.work_orders[0].events.map((e: { action: string }) => e.action)).toEqual(['created', 'take', 'done', 'reopen']);
  });

  it('marks a pending order past its deadline overdue, and names its service as holding the appeal', async () => {
    const { a, wo } = await withOrder();
    await t.pool.query(`UPDATE work_orders SET due_at = now() - interval '2 hours' WHERE id = $1`, [wo.id]);
    const read = await get(`/api/incidents/${a.id}/work-orders`, kit.cookie.dispatcher);
    expect(read.body.work_orders[0].overdue).toBe(true);
    expect(read.body.holding).toBe(kit.executorService);
    const control = await t.json('/api/control?only=overdue&limit=1000', { headers: { cookie: kit.cookie.dispatcher } });
    expect(control.status).toBe(200);
    const late = control.body.work_orders.overdue.find((w: { id: number }) => w.id === wo.id);
    expect(late).toMatchObject({ service: kit.executorService, incident: { id: a.id, number: a.number }, lead: kit.otherService });
    expect(late.overdue_h).toBeGreaterThanOrEqual(1.9);
    expect(
      control.body.work_orders.by_service.find((s: { service: string }) => s.service === kit.executorService).overdue,
    ).toBeGreaterThanOrEqual(1);
    // Beside them, the outages in force now, as the register holds them.
    const inForce = await t.pool.query<{ id: number }>(
      `SELECT id FROM outages WHERE starts_at <= now() AND (ended_at IS NULL OR ended_at > now()) ORDER BY id`,
    );
    expect(control.body.outages.map((o: { id: number }) => o.id).sort((x: number, y: number) => x - y)).toEqual(
      inForce.rows.map((r) => r.id),
    );
    const one = await t.json(`/api/control?q=${encodeURIComponent(a.number)}`, { headers: { cookie: kit.cookie.dispatcher } });
    expect(one.body.items.find((i: { id: number }) => i.id === a.id)).toMatchObject({
      holding: kit.executorService,
      work_orders_pending: [kit.executorService],
    });
    // The wall's screen reads who holds it up: codes and numbers, no free text.
    const wall = await t.json(`/api/control/coordination?district=${kit.inside.code}&limit=200`, {
      headers: { cookie: kit.cookie.display },
    });
    expect(wall.status).toBe(200);
    expect(wall.body.held_up.find((h: { id: number }) => h.id === a.id)).toMatchObject({
      holding: kit.executorService,
      service: kit.otherService,
    });
    expect(
      wall.body.work_orders_by_service.find((r: { service: string }) => r.service === kit.executorService).overdue,
    ).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(wall.body)).not.toMatch(/Проверить сети|Тест Тестов|\+7 701/);
    // Released, it holds nothing any more: the lead is back.
    const released = await act(a.id, read.body.work_orders[0], kit.cookie.dispatcher, { to: 'released', note: 'Не требуется' });
    expect(released.body.holding).toBe(kit.otherService);
  });
});

describe('the resolution rule', () => {
  it('refuses to resolve while a co-executor works (409 work_orders_pending), and resolves once it is done or released', async () => {
    const { a, wo } = await withOrder();
    const second = await post(
      `/api/incidents/${a.id}/work-orders`,
      { service: await third(), task: 'Восстановить покрытие' },
      kit.cookie.dispatcher,
    );
    await must(a.id, 'admin', { to: 'in_progress' });
    const refused = await move(a.id, 'admin', { to: 'resolved', note: 'Готово' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('work_orders_pending');
    expect(refused.body.error.details.map((d: { service: string }) => d.service).sort()).toEqual(
      [kit.executorService, await third()].sort(),
    );
    const taken = (await act(a.id, wo, kit.cookie.executor, { to: 'in_progress' })).body.work_orders[0];
    await act(a.id, taken, kit.cookie.executor, { to: 'done', note: 'Проверено' });
    const other = second.body.work_orders[1];
    await act(a.id, other, kit.cookie.dispatcher, { to: 'released', note: 'Покрытие не повреждено' });
    const resolved = await move(a.id, 'admin', { to: 'resolved', note: 'Готово' });
    expect(resolved.status).toBe(200);
    // The appeal is no longer active: its work orders are frozen.
    const frozen = await post(`/api/incidents/${a.id}/work-orders`, { service: kit.executorService, task: 'x' }, kit.cookie.dispatcher);
    expect(frozen.status).toBe(409);
  });

  it('releases a co-executor that becomes the lead, keeping service_id the lead', async () => {
    const { a, wo } = await withOrder();
    await must(a.id, 'admin', { to: 'assigned', service: kit.executorService });
    const list = (await get(`/api/incidents/${a.id}/work-orders`, kit.cookie.dispatcher)).body;
    expect(list.lead.service).toBe(kit.executorService);
    expect(list.work_orders[0]).toMatchObject({ id: wo.id, status: 'released' });
    expect(list.work_orders[0].events.at(-1).action).toBe('lead');
  });
});

describe('merging an appeal with work orders', () => {
  it('moves its pending work orders to the appeal it joins, or releases them there when that appeal has the service', async () => {
    const parent = await create({ service: kit.otherService });
    const shared = await third();
    expect(
      (await post(`/api/incidents/${parent.id}/work-orders`, { service: shared, task: 'Ограждение' }, kit.cookie.dispatcher)).status,
    ).toBe(201);
    const { a: child, wo } = await withOrder();
    await act(child.id, wo, kit.cookie.executor, { to: 'in_progress' });
    expect(
      (await post(`/api/incidents/${child.id}/work-orders`, { service: shared, task: 'Ограждение' }, kit.cookie.dispatcher)).status,
    ).toBe(201);
    const version = (await get(`/api/incidents/${child.id}`, kit.cookie.dispatcher)).body.properties.version;
    const merged = await post(`/api/incidents/${child.id}/merge`, { into: parent.id, version }, kit.cookie.dispatcher);
    expect(merged.status).toBe(200);

    const onParent = (await get(`/api/incidents/${parent.id}/work-orders`, kit.cookie.dispatcher)).body.work_orders;
    const moved = onParent.find((w: { id: number }) => w.id === wo.id);
    // Moved with its state and executor; its history says from where.
    expect(moved).toMatchObject({ service: kit.executorService, status: 'in_progress', executor: 'executor', task: 'Проверить сети' });
    expect(moved.events.at(-1)).toMatchObject({ action: 'moved', from_status: 'in_progress', to_status: 'in_progress' });
    expect(moved.note).toContain(child.number);
    expect(onParent.map((w: { service: string }) => w.service).sort()).toEqual([kit.executorService, shared].sort());
    // The service the parent already had is released on the duplicate, naming the parent.
    const left = (await get(`/api/incidents/${child.id}/work-orders`, kit.cookie.dispatcher)).body.work_orders;
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ service: shared, status: 'released' });
    expect(left[0].note).toContain(parent.number);
    // The parent resolves only once the moved co-executor is done.
    await must(parent.id, 'admin', { to: 'in_progress' });
    const refused = await move(parent.id, 'admin', { to: 'resolved', note: 'Готово' });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'work_orders_pending']);
    expect(refused.body.error.details.map((d: { service: string }) => d.service)).toContain(kit.executorService);
  });
});

describe('work orders: scopes', () => {
  it("lets an executor act only on their own service's work order", async () => {
    const a = await create({ service: kit.executorService });
    const res = await post(
      `/api/incidents/${a.id}/work-orders`,
      { service: await third(), task: 'Известить жителей' },
      kit.cookie.dispatcher,
    );
    const theirs = res.body.work_orders[0];
    const refused = await act(a.id, theirs, kit.cookie.executor, { to: 'in_progress' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    // The executor leads this appeal, so reads its work orders, but has no move on the other service's.
    const read = await get(`/api/incidents/${a.id}/work-orders`, kit.cookie.executor);
    expect(read.status).toBe(200);
    expect(read.body.work_orders[0].allowed).toEqual([]);
    expect(read.body.can_add).toBe(false);
    // Executors do not add work orders; officials and wall screens act on none.
    expect((await post(`/api/incidents/${a.id}/work-orders`, { service: kit.otherService, task: 'x' }, kit.cookie.executor)).status).toBe(
      403,
    );
    expect((await act(a.id, theirs, kit.cookie.official, { to: 'in_progress' })).status).toBe(403);
  });

  it('lets an executor of a co-executor service read the appeal it works on, but not an unrelated one', async () => {
    const { a } = await withOrder();
    expect((await get(`/api/incidents/${a.id}/work-orders`, kit.cookie.executor)).status).toBe(200);
    const unrelated = await create({ service: kit.otherService });
    expect((await get(`/api/incidents/${unrelated.id}/work-orders`, kit.cookie.executor)).status).toBe(403);
  });

  it('keeps supervisors to their districts', async () => {
    const a = await create({ service: kit.otherService }, kit.outside);
    const add = await post(`/api/incidents/${a.id}/work-orders`, { service: kit.executorService, task: 'x' }, kit.cookie.supervisor);
    expect(add.status).toBe(403);
    const inside = await create({ service: kit.otherService });
    const ok = await post(`/api/incidents/${inside.id}/work-orders`, { service: kit.executorService, task: 'x' }, kit.cookie.supervisor);
    expect(ok.status).toBe(201);
  });

  it('answers 404 for an unknown appeal or work order, 400 for a bad body', async () => {
    expect((await get('/api/incidents/999999999/work-orders', kit.cookie.dispatcher)).status).toBe(404);
    const { a } = await withOrder();
    expect((await act(a.id, { id: 999999999, version: 1 }, kit.cookie.dispatcher, { to: 'released', note: 'x' })).status).toBe(404);
    const bad = await post(`/api/incidents/${a.id}/work-orders`, { service: 'X Y', task: '' }, kit.cookie.dispatcher);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['service', 'task']);
  });
});

describe('demo data', () => {
  it('holds multi-service incidents: a burst heating main with the road service, the water utility and the akimat', async () => {
    // The demo's own seeding, as the server runs it at start (a no-op once it has run).
    await seedDemoWorkOrders(t.pool);
    const { rows } = await t.pool.query(
      `SELECT i.id, array_agg(s.code ORDER BY s.code) AS services, bool_and(e.n > 0) AS with_history
         FROM work_orders w JOIN incidents i ON i.id = w.incident_id JOIN categories c ON c.id = i.category_id
         JOIN services s ON s.id = w.service_id
         CROSS JOIN LATERAL (SELECT count(*)::int AS n FROM work_order_events x WHERE x.work_order_id = w.id) e
        WHERE c.code IN ('heating.pipe_burst', 'water.pipe_burst', 'heating.no_heating.area') AND w.created_by IS NULL
        GROUP BY i.id`,
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => ['akimat_housing', 'roads_main', 'vodokanal'].every((s) => r.services.includes(s)))).toBe(true);
    expect(rows.every((r) => r.with_history)).toBe(true);
  });
});
