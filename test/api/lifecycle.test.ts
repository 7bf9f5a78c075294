import { describe, expect, it } from 'vitest';
import { dueAt, offsetMinutes, type WorkCalendar } from '../../server/deadlines/due.ts';
import { testApp } from '../helpers/app.ts';
import { type DemoRole, lifecycleKit } from '../helpers/lifecycle.ts';

const t = testApp();
const { kit, post, intake, create, version, move, must, inStatus, count } = lifecycleKit(t, 1);

const noInternals = (body: unknown) =>
  expect(JSON.stringify(body)).not.toMatch(/SELECT|INSERT|UPDATE|stack|at Object|\.ts:\d|constraint|test_fail/);

describe('POST /api/incidents (intake)', () => {
  it('registers an appeal: number, district from PostGIS, routed service, deadline, version, reporter kept apart', async () => {
    const res = await post('/api/incidents', intake(), kit.cookie.dispatcher);
    expect(res.status).toBe(201);
    const a = res.body;
    expect(a.number).toMatch(/^109-\d{4}-\d{6,}$/);
    // Issue 18: the routed service receives it at once.
    expect(a).toMatchObject({ status: 'assigned', version: 1, district: { code: kit.inside.code }, service: { code: 'roads_main' } });
    expect(a.district.name).toEqual({ kk: expect.any(String), ru: expect.any(String), en: expect.any(String) });
    expect(a.service.name.ru).toEqual(expect.any(String));
    expect(Array.isArray(a.duplicates)).toBe(true);
    expect(res.headers.get('location')).toBe(`/api/incidents/${a.id}`);

    const { rows } = await t.pool.query(
      `SELECT i.address, i.created_by, d.code AS district, r.name, r.phone,
              (SELECT count(*)::int FROM incident_events e WHERE e.incident_id = i.id AND e.action = 'created' AND e.actor_id = i.created_by) AS created_events
         FROM incidents i JOIN districts d ON d.id = i.district_id JOIN incident_reporters r ON r.incident_id = i.id WHERE i.id = $1`,
      [a.id],
    );
    expect(rows).toEqual([
      {
        address: 'ул. Толе би, 1',
        created_by: expect.any(Number),
        district: kit.inside.code,
        name: 'Тест Тестов',
        phone: '+7 701 000 00 00',
        created_events: 1,
      },
    ]);
    // The public detail never shows the reporter.
    const pub = await t.json(`/api/incidents/${a.id}`);
    expect(JSON.stringify(pub.body)).not.toContain('Тест Тестов');
  });

  it('routes by the most specific rule, as route_service decides', async () => {
    // ksk_osi has district rules: the service depends on where the appeal is.
    for (const where of [kit.inside, kit.outside]) {
      const a = await create({ category: 'ksk_osi' }, where);
      const { rows } = await t.pool.query(
        `SELECT s.code FROM services s WHERE s.id = route_service((SELECT id FROM categories WHERE code = 'ksk_osi'), (SELECT id FROM districts WHERE code = $1))`,
        [where.code],
      );
      expect(a.service.code).toBe(rows[0].code);
    }
  });

  it('sets due_at = dueAt(created_at, norm, calendar_days) for working-day and hour norms', async () => {
    const days = (await t.pool.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day, kind FROM calendar_days`)).rows;
    const cal: WorkCalendar = {
      holidays: new Set(days.filter((d) => d.kind === 'holiday').map((d) => d.day)),
      workdays: new Set(days.filter((d) => d.kind === 'workday').map((d) => d.day)),
    };
    const offset = offsetMinutes((await t.pool.query(`SELECT value->>'utcOffset' AS o FROM city_settings WHERE key = 'city'`)).rows[0].o);
    const cases = [
      { category: 'roads.pothole', norm: { workingDays: 10 } },
      { category: 'manholes.open.water', norm: { hours: 4 }, type: 'incident' },
    ];
    for (const c of cases) {
      const a = await create({ category: c.category, type: c.type ?? 'complaint' });
      const created = (await t.pool.query('SELECT created_at FROM incidents WHERE id = $1', [a.id])).rows[0].created_at as Date;
      expect(a.created_at).toBe(created.toISOString());
      expect(a.due_at).toBe(dueAt(created, c.norm, cal, offset).toISOString());
    }
    const emergency = await create({ category: 'manholes.open.water', type: 'incident' });
    expect(Date.parse(emergency.due_at) - Date.parse(emergency.created_at)).toBe(4 * 3_600_000);
    expect(emergency.priority).toBeLessThanOrEqual(2);
  });

  it('closes an information request answered on the call as consulted', async () => {
    const a = await create({ type: 'information_request', category: 'pension', answered: true, answer: 'Разъяснён порядок выплат ЕНПФ' });
    expect(a).toMatchObject({ status: 'closed', resolution: 'consulted', duplicates: [] });
    const { rows } = await t.pool.query('SELECT resolved_at, closed_at, created_at FROM incidents WHERE id = $1', [a.id]);
    expect(rows[0].resolved_at).toEqual(rows[0].created_at);
    expect(rows[0].closed_at).toEqual(rows[0].created_at);
    const events = (await t.json(`/api/incidents/${a.id}`)).body.events;
    expect(events.map((e: any) => [e.action, e.from_status, e.to_status])).toEqual([
      ['created', null, 'new'],
      ['transition', 'new', 'closed'],
    ]);
    expect(events[1].note).toBe('Разъяснён порядок выплат ЕНПФ');
  });

  it('answers 422 for a point outside the city, and leaves nothing behind', async () => {
    const desc = `outside ${Date.now()}`;
    const res = await post(
      '/api/incidents',
      intake({ description: desc, location: { type: 'Point', coordinates: [71.0, 42.5] } }),
      kit.cookie.dispatcher,
    );
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('outside_city');
    expect(res.body.error.message).toMatch(/outside the city/);
    expect(await count('SELECT count(*)::int AS n FROM incidents WHERE description = $1', [desc])).toBe(0);
  });

  it.each([
    [{ type: 'rant' }, 'type'],
    [{ channel: 'pigeon' }, 'channel'],
    [{ category: 'No Such' }, 'category'],
    [{ category: 'no.such.category' }, 'category'],
    [{ description: '   ' }, 'description'],
    [{ description: 'x'.repeat(4001) }, 'description'],
    [{ location: { type: 'Point', coordinates: [71.4] } }, 'location'],
    [{ location: { type: 'Point', coordinates: [200, 42.9] } }, 'location'],
    [{ location: { type: 'LineString', coordinates: [71.4, 42.9] } }, 'location'],
    [{ location: undefined }, 'location'],
    [{ address: 'a'.repeat(501) }, 'address'],
    [{ reporter: {} }, 'reporter'],
    [{ reporter: { phone: 'call me maybe' } }, 'reporter.phone'],
    [{ photo_url: 'ftp://x/y.jpg' }, 'photo_url'],
    [{ answered: true }, 'answered'],
  ])('rejects %j with a 400 naming %s', async (over, field) => {
    const res = await post('/api/incidents', intake(over), kit.cookie.dispatcher);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(field.split('.')[0]);
    noInternals(res.body);
  });

  it('is for dispatchers and admins only', async () => {
    expect((await post('/api/incidents', intake())).status).toBe(401);
    for (const role of ['official', 'executor', 'display', 'supervisor'] as const) {
      expect((await post('/api/incidents', intake(), kit.cookie[role])).status).toBe(403);
    }
    expect((await post('/api/incidents', intake(), kit.cookie.admin)).status).toBe(201);
  });
});

describe('Idempotency-Key', () => {
  it('returns the first answer to a retried POST and creates one appeal', async () => {
    const key = `retry-${Date.now()}-${Math.random()}`;
    const body = intake({ description: `idempotent ${key}` });
    const first = await post('/api/incidents', body, kit.cookie.dispatcher, { 'Idempotency-Key': key });
    const again = await post('/api/incidents', body, kit.cookie.dispatcher, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await count('SELECT count(*)::int AS n FROM incidents WHERE description = $1', [`idempotent ${key}`])).toBe(1);
  });

  it('creates one appeal when retries race each other', async () => {
    const key = `race-${Date.now()}-${Math.random()}`;
    const body = intake({ description: `race ${key}` });
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() => post('/api/incidents', body, kit.cookie.dispatcher, { 'Idempotency-Key': key })),
    );
    for (const a of answers) expect(a.status).toBe(201);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM incidents WHERE description = $1', [`race ${key}`])).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM incident_reporters WHERE incident_id = $1', [answers[0].body.id])).toBe(1);
  });

  it('keeps keys per user, refuses a key reused for another body, and validates the key', async () => {
    const key = `shared-${Date.now()}`;
    const a = await post('/api/incidents', intake({ description: `per user ${key}` }), kit.cookie.dispatcher, { 'Idempotency-Key': key });
    const b = await post('/api/incidents', intake({ description: `per user ${key}` }), kit.cookie.admin, { 'Idempotency-Key': key });
    expect(b.body.id).not.toBe(a.body.id);
    const reused = await post('/api/incidents', intake({ description: 'something else' }), kit.cookie.dispatcher, {
      'Idempotency-Key': key,
    });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    const bad = await post('/api/incidents', intake(), kit.cookie.dispatcher, { 'Idempotency-Key': 'x'.repeat(201) });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('Idempotency-Key');
  });
});

/**
 * Makes inserts of `marker` into table.column fail inside their transaction, through a
 * temporary CHECK constraint (NOT VALID: existing rows are not read; other files' rows never
 * carry the marker). A CHECK rather than a raising trigger: PGlite's socket loses protocol
 * sync when a plpgsql RAISE fires inside a parameterised statement.
 */
async function withForcedFailure(table: string, column: string, marker: string, fn: () => Promise<void>) {
  const name = `test_fail_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  await t.pool.query(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${column} IS DISTINCT FROM '${marker}') NOT VALID`);
  try {
    await fn();
  } finally {
    await t.pool.query(`ALTER TABLE ${table} DROP CONSTRAINT ${name}`);
  }
}

describe('a failed write leaves the database as it was', () => {
  it('intake: a failure after the incident and event inserts rolls all of them back', async () => {
    const marker = `Сбой ${Date.now()}`;
    const desc = `rollback ${marker}`;
    const key = `rollback-${Date.now()}`;
    const before = await count('SELECT count(*)::int AS n FROM incident_reporters WHERE name = $1', [marker]);
    await withForcedFailure('incident_reporters', 'name', marker, async () => {
      const res = await post('/api/incidents', intake({ description: desc, reporter: { name: marker } }), kit.cookie.dispatcher, {
        'Idempotency-Key': key,
      });
      expect(res.status).toBe(500);
      expect(res.body.error.code).toBe('internal');
      noInternals(res.body);
    });
    expect(await count('SELECT count(*)::int AS n FROM incidents WHERE description = $1', [desc])).toBe(0);
    expect(
      await count(`SELECT count(*)::int AS n FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE i.description = $1`, [
        desc,
      ]),
    ).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM incident_reporters WHERE name = $1', [marker])).toBe(before);
    expect(await count('SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1', [key])).toBe(0);
    // The same key works once the failure is gone: nothing was stored for it.
    const retry = await post('/api/incidents', intake({ description: desc, reporter: { name: marker } }), kit.cookie.dispatcher, {
      'Idempotency-Key': key,
    });
    expect(retry.status).toBe(201);
  });

  it('transition: a failure writing the audit row leaves status, version and events unchanged', async () => {
    const a = await inStatus('in_progress');
    const marker = `Сбой ${Date.now()}`;
    const before = (await t.pool.query('SELECT status, version, resolved_at FROM incidents WHERE id = $1', [a.id])).rows[0];
    const events = await count('SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1', [a.id]);
    await withForcedFailure('incident_events', 'note', marker, async () => {
      const res = await move(a.id, 'executor', { to: 'resolved', note: marker });
      expect(res.status).toBe(500);
      noInternals(res.body);
    });
    expect((await t.pool.query('SELECT status, version, resolved_at FROM incidents WHERE id = $1', [a.id])).rows[0]).toEqual(before);
    expect(await count('SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1', [a.id])).toBe(events);
    expect(await count('SELECT count(*)::int AS n FROM incident_feedback_tokens WHERE incident_id = $1', [a.id])).toBe(0);
  });
});

describe('POST /api/incidents/:id/transitions', () => {
  it('walks new → assigned → in_progress → resolved → closed, one event per change with its actor', async () => {
    const a = await create({ triage: true });
    const assigned = await must(a.id, 'dispatcher', { to: 'assigned', service: kit.executorService });
    expect(assigned.properties).toMatchObject({ status: 'assigned', service: kit.executorService, version: 2 });
    expect(assigned.allowed.map((m: any) => m.action)).toEqual(['reject']);
    const taken = await must(a.id, 'executor', { to: 'in_progress' });
    expect(taken.properties.started_at).not.toBeNull();
    const resolved = await must(a.id, 'executor', { to: 'resolved', note: 'Яма заделана асфальтом' });
    expect(resolved.properties).toMatchObject({ status: 'resolved', resolution: 'fixed', version: 4 });
    const closed = await must(a.id, 'supervisor', { to: 'closed' });
    expect(closed.properties).toMatchObject({ status: 'closed', version: 5 });

    const { rows } = await t.pool.query(
      `SELECT e.action, e.from_status, e.to_status, e.note, u.login FROM incident_events e LEFT JOIN users u ON u.id = e.actor_id
        WHERE e.incident_id = $1 ORDER BY e.id`,
      [a.id],
    );
    expect(rows.map((r) => [r.action, r.from_status, r.to_status, r.login])).toEqual([
      ['created', null, 'new', 'dispatcher'],
      ['transition', 'new', 'assigned', 'dispatcher'],
      ['transition', 'assigned', 'in_progress', 'executor'],
      ['transition', 'in_progress', 'resolved', 'executor'],
      ['transition', 'resolved', 'closed', 'supervisor'],
    ]);
    expect(rows[3].note).toBe('Яма заделана асфальтом');
    const timestamps = (await t.pool.query('SELECT assigned_at, started_at, resolved_at, closed_at FROM incidents WHERE id = $1', [a.id]))
      .rows[0];
    for (const v of Object.values(timestamps)) expect(v).not.toBeNull();
  });

  it('reassigns with a new service and counts it; escalates one level at a time', async () => {
    const a = await inStatus('in_progress');
    const moved = await must(a.id, 'supervisor', { to: 'assigned', service: kit.otherService, note: 'Не профиль службы' });
    expect(moved.properties).toMatchObject({ status: 'assigned', service: kit.otherService, reassign_count: 1 });
    const ev = (await t.pool.query(`SELECT action, data FROM incident_events WHERE incident_id = $1 ORDER BY id DESC LIMIT 1`, [a.id]))
      .rows[0];
    expect(ev.action).toBe('assigned');
    expect(ev.data).toMatchObject({ action: 'reassign', to_service: expect.any(Number), from_service: expect.any(Number) });
    // Same service again is not a reassignment.
    const same = await move(a.id, 'supervisor', { to: 'assigned', service: kit.otherService });
    expect(same.status).toBe(400);

    for (const level of [1, 2, 3]) {
      const res = await post(`/api/incidents/${a.id}/escalate`, { version: await version(a.id) }, kit.cookie.supervisor);
      expect(res.status).toBe(200);
      expect(res.body.properties.escalation_level).toBe(level);
    }
    const top = await post(`/api/incidents/${a.id}/escalate`, { version: await version(a.id) }, kit.cookie.supervisor);
    expect(top.status).toBe(409);
    const escalations = await count(`SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND action = 'escalated'`, [
      a.id,
    ]);
    expect(escalations).toBe(3);
    expect((await post(`/api/incidents/${a.id}/escalate`, { version: await version(a.id) }, kit.cookie.dispatcher)).status).toBe(409);
    expect((await post(`/api/incidents/${a.id}/escalate`, { version: 1 }, kit.cookie.official)).status).toBe(403);
  });

  it('answers 409 stale_version for an old version, and the version grows by one per change', async () => {
    const a = await create({ triage: true });
    const first = await post(`/api/incidents/${a.id}/transitions`, { to: 'assigned', version: 1 }, kit.cookie.dispatcher);
    expect(first.status).toBe(200);
    expect(first.body.properties.version).toBe(2);
    const stale = await post(`/api/incidents/${a.id}/transitions`, { to: 'rejected', reason: 'spam', version: 1 }, kit.cookie.dispatcher);
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('stale_version');
    expect(stale.body.error.details[0]).toMatchObject({ path: 'version', current: 2 });
    expect(await version(a.id)).toBe(2);
  });

  it('lets only one of two concurrent changes of the same version through', async () => {
    const a = await create({ triage: true });
    const [x, y] = await Promise.all([
      post(`/api/incidents/${a.id}/transitions`, { to: 'assigned', version: 1 }, kit.cookie.dispatcher),
      post(`/api/incidents/${a.id}/transitions`, { to: 'rejected', reason: 'spam', version: 1 }, kit.cookie.supervisor),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
    expect(await version(a.id)).toBe(2);
    expect(await count(`SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND action <> 'created'`, [a.id])).toBe(1);
  });

  it('answers 409 illegal_transition listing the transitions allowed to this user', async () => {
    const a = await inStatus('assigned');
    const res = await move(a.id, 'executor', { to: 'closed' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('illegal_transition');
    expect(res.body.error.details.map((d: any) => d.to).sort()).toEqual(['assigned', 'in_progress']);
    expect(res.body.error.message).toContain('allowed: assigned, in_progress');
    const sup = await move(a.id, 'supervisor', { to: 'resolved', note: 'x' });
    expect(sup.body.error.details.map((d: any) => `${d.action}:${d.to}`).sort()).toEqual(['reassign:assigned', 'reject:rejected']);
  });

  it('asks for what a move needs: a note to resolve, a reason to reject, a known service', async () => {
    const a = await inStatus('in_progress');
    const noNote = await move(a.id, 'executor', { to: 'resolved' });
    expect(noNote.status).toBe(400);
    expect(noNote.body.error.details[0].path).toBe('note');
    const noReason = await move(a.id, 'supervisor', { to: 'rejected' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details[0].path).toBe('reason');
    const badReason = await move(a.id, 'supervisor', { to: 'rejected', reason: 'fixed' });
    expect(badReason.status).toBe(400);
    const unknown = await move(a.id, 'supervisor', { to: 'assigned', service: 'no_such_service' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('no_such_service');
    const body = await post(`/api/incidents/${a.id}/transitions`, { to: 'somewhere', version: 'x' }, kit.cookie.admin);
    expect(body.status).toBe(400);
    expect(body.body.error.message).toMatch(/to.*version|version.*to/);
    expect((await post('/api/incidents/999999999/transitions', { to: 'assigned', version: 1 }, kit.cookie.admin)).status).toBe(404);
    expect((await post(`/api/incidents/${a.id}/transitions`, { to: 'assigned', version: 1 })).status).toBe(401);
    expect(await version(a.id)).toBe(3);
  });

  it('clears resolved_at when reopened, and takes it up again', async () => {
    const a = await inStatus('reopened');
    const row = (await t.pool.query('SELECT status, resolved_at, resolution FROM incidents WHERE id = $1', [a.id])).rows[0];
    expect(row).toEqual({ status: 'reopened', resolved_at: null, resolution: null });
    await must(a.id, 'executor', { to: 'in_progress' });
    const again = await must(a.id, 'executor', { to: 'resolved', note: 'Переделано', reason: 'fixed' });
    expect(again.properties.resolved_at).not.toBeNull();
  });

  // [role, status the appeal is in, request, expected HTTP status]. The appeal is in the
  // supervisor's district and assigned (from `assigned` on) to the executor's service.
  const table: [DemoRole, string, Record<string, unknown>, number][] = [
    ['dispatcher', 'new', { to: 'assigned' }, 200],
    ['supervisor', 'new', { to: 'assigned', service: 'roads_main' }, 200],
    ['admin', 'new', { to: 'assigned' }, 200],
    ['dispatcher', 'new', { to: 'rejected', reason: 'spam' }, 200],
    ['dispatcher', 'new', { to: 'in_progress' }, 409],
    ['dispatcher', 'new', { to: 'closed' }, 409],
    ['official', 'new', { to: 'assigned' }, 403],
    ['display', 'new', { to: 'assigned' }, 403],
    ['executor', 'assigned', { to: 'in_progress' }, 200],
    ['admin', 'assigned', { to: 'in_progress' }, 200],
    ['dispatcher', 'assigned', { to: 'in_progress' }, 409],
    ['supervisor', 'assigned', { to: 'in_progress' }, 409],
    ['dispatcher', 'assigned', { to: 'rejected', reason: 'out_of_competence' }, 200],
    ['dispatcher', 'assigned', { to: 'assigned', service: 'OTHER' }, 409],
    ['supervisor', 'assigned', { to: 'assigned', service: 'OTHER' }, 200],
    ['executor', 'assigned', { to: 'assigned', service: 'OTHER' }, 400],
    ['executor', 'assigned', { to: 'assigned', service: 'OTHER', note: 'Не наш участок' }, 200],
    ['executor', 'assigned', { to: 'resolved', note: 'x' }, 409],
    ['official', 'assigned', { to: 'in_progress' }, 403],
    ['executor', 'in_progress', { to: 'resolved', note: 'Сделано' }, 200],
    ['executor', 'in_progress', { to: 'resolved', note: 'Факты не подтвердились', reason: 'not_confirmed' }, 200],
    ['supervisor', 'in_progress', { to: 'resolved', note: 'x' }, 409],
    ['dispatcher', 'in_progress', { to: 'rejected', reason: 'spam' }, 409],
    ['supervisor', 'in_progress', { to: 'rejected', reason: 'duplicate' }, 200],
    ['executor', 'in_progress', { to: 'rejected', reason: 'spam' }, 409],
    ['supervisor', 'resolved', { to: 'closed' }, 200],
    ['executor', 'resolved', { to: 'closed' }, 409],
    ['dispatcher', 'resolved', { to: 'closed' }, 409],
    ['dispatcher', 'resolved', { to: 'reopened', note: 'Заявитель звонил: не устранено' }, 200],
    ['supervisor', 'resolved', { to: 'reopened' }, 400],
    ['executor', 'resolved', { to: 'reopened', note: 'x' }, 409],
    ['executor', 'reopened', { to: 'in_progress' }, 200],
    ['supervisor', 'reopened', { to: 'assigned', service: 'OTHER' }, 200],
    ['admin', 'closed', { to: 'reopened', note: 'x' }, 409],
    ['supervisor', 'closed', { to: 'assigned' }, 409],
    ['admin', 'rejected', { to: 'assigned' }, 409],
    ['dispatcher', 'rejected', { to: 'new' }, 409],
  ];

  it.each(table)('%s on a %s appeal: %j → %i', async (role, status, body, expected) => {
    const a = await inStatus(status);
    const before = await version(a.id);
    const res = await move(a.id, role, body.service === 'OTHER' ? { ...body, service: kit.otherService } : body);
    expect(res.status, JSON.stringify(res.body)).toBe(expected);
    if (expected === 200) {
      expect(res.body.properties.version).toBe(before + 1);
      expect(res.body.properties.status).toBe(body.to);
    } else {
      expect(res.body.error).toBeDefined();
      noInternals(res.body);
      expect(await version(a.id)).toBe(before);
    }
  });

  it('keeps supervisors to their districts and executors to their service (403)', async () => {
    const outside = await inStatus('assigned', kit.outside);
    const sup = await move(outside.id, 'supervisor', { to: 'assigned', service: kit.otherService });
    expect(sup.status).toBe(403);
    expect(sup.body.error.message).toContain('districts');
    const notMine = await create({ service: kit.otherService });
    const exe = await move(notMine.id, 'executor', { to: 'in_progress' });
    expect(exe.status).toBe(403);
    expect(exe.body.error.message).toContain('service');
    // Dispatchers and admins work city-wide.
    expect((await move(outside.id, 'dispatcher', { to: 'rejected', reason: 'spam' })).status).toBe(200);
  });

  it('shows each user the moves they may make in the detail', async () => {
    const a = await inStatus('assigned');
    const detail = async (role: DemoRole) => (await t.json(`/api/incidents/${a.id}`, { headers: { cookie: kit.cookie[role] } })).body;
    expect((await detail('executor')).allowed.map((m: any) => m.action)).toEqual(['reassign', 'take']);
    expect((await detail('supervisor')).allowed.map((m: any) => m.action)).toEqual(['reassign', 'reject', 'escalate']);
    expect((await detail('official')).allowed).toBeUndefined();
    expect((await t.json(`/api/incidents/${a.id}`)).body.allowed).toBeUndefined();
    const d = await detail('dispatcher');
    expect(d.properties.risk === null || (d.properties.risk.p >= 0 && d.properties.risk.p <= 1)).toBe(true);
    expect(d.properties.bounced).toBe(false);
  });
});
