import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';
import { probeTally } from '../helpers/probes.ts';

/**
 * A write that fails midway leaves nothing behind. Temporary triggers in the test database make
 * the last insert of an intake (the reporter, after the idempotency key, the appeal and its
 * 'created' event) and the event row of a transition (after the appeal's update) fail; the
 * answer is a 500 with the JSON error shape, and none of the writes before the failure remain.
 */
const t = testApp();
const run = Date.now().toString(36);
let cookie: string;
let admin: string;
let point: [number, number];

beforeAll(async () => {
  cookie = await t.login('dispatcher');
  admin = await t.login('admin');
  const meta = (await t.json('/api/meta')).body;
  point = [meta.districts[1].lng + 0.0007, meta.districts[1].lat - 0.0005];
  // Two functions: PL/pgSQL does not short-circuit a field that the row type lacks.
  await t.pool.query(`CREATE FUNCTION test_fail_reporter() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.name = 'Fail Midway' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`);
  await t.pool.query(`CREATE FUNCTION test_fail_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.note LIKE 'fail midway%' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`);
  await t.pool.query(
    `CREATE TRIGGER test_fail_midway AFTER INSERT ON incident_reporters FOR EACH ROW EXECUTE FUNCTION test_fail_reporter()`,
  );
  await t.pool.query(`CREATE TRIGGER test_fail_midway AFTER INSERT ON incident_events FOR EACH ROW EXECUTE FUNCTION test_fail_event()`);
});

// For the probes table of docs/security.md: the injected faults' 500s are the expected answer;
// a 5xx anywhere else, a fault's text in an answer (leak), or a retried appeal not there exactly
// once (lost) are what this probe finds.
const tally = probeTally('partial-write.test.ts', 'writes failing midway (injected faults), then retried');
const seen = <T extends { status: number; body: unknown }>(res: T, injected = false): T => {
  tally.tried++;
  if (res.status >= 500 && !injected) tally.fiveXX++;
  if (/injected|INSERT|trigger/i.test(JSON.stringify(res.body))) tally.leaks++;
  return res;
};

afterAll(async () => {
  tally.record();
  await t.pool.query('DROP TRIGGER IF EXISTS test_fail_midway ON incident_reporters');
  await t.pool.query('DROP TRIGGER IF EXISTS test_fail_midway ON incident_events');
  await t.pool.query('DROP FUNCTION IF EXISTS test_fail_reporter()');
  await t.pool.query('DROP FUNCTION IF EXISTS test_fail_event()');
});

const post = (path: string, body: unknown, who: string, headers: Record<string, string> = {}) =>
  t.json(path, { method: 'POST', headers: { 'content-type': 'application/json', cookie: who, ...headers }, body: JSON.stringify(body) });

const counts = async () =>
  (
    await t.pool.query(
      `SELECT (SELECT count(*) FROM incidents)::int AS incidents, (SELECT count(*) FROM incident_events)::int AS events,
              (SELECT count(*) FROM incident_reporters)::int AS reporters, (SELECT count(*) FROM idempotency_keys)::int AS keys,
              (SELECT count(*) FROM live_events)::int AS live`,
    )
  ).rows[0];

describe('a request that fails midway', () => {
  it('intake: no appeal, event, idempotency key or live event remains, and a retry with the key works', async () => {
    const before = await counts();
    const body = {
      type: 'complaint',
      category: 'roads.pothole',
      channel: 'phone',
      description: `partial write ${run}`,
      location: { type: 'Point', coordinates: point },
      reporter: { name: 'Fail Midway', phone: '+7 701 000 00 00' },
    };
    const key = { 'Idempotency-Key': `partial-${run}` };
    const res = seen(await post('/api/incidents', body, cookie, key), true);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal', message: expect.any(String), details: [] } });
    expect(JSON.stringify(res.body)).not.toMatch(/injected|INSERT|trigger/i);
    expect(await counts()).toEqual(before);
    expect((await t.pool.query(`SELECT count(*)::int AS n FROM incidents WHERE description = $1`, [body.description])).rows[0].n).toBe(0);

    // The key was not kept: the same request, once the fault is gone, registers the appeal once.
    const retry = seen(await post('/api/incidents', { ...body, reporter: { name: 'Fine Now' } }, cookie, key));
    expect(retry.status).toBe(201);
    const landed = (await t.pool.query(`SELECT count(*)::int AS n FROM incidents WHERE description = $1`, [body.description])).rows[0].n;
    if (landed !== 1) tally.lost++;
    expect(landed).toBe(1);
  });

  it('transition: the appeal keeps its status and version, and no event row is added', async () => {
    const created = await post(
      '/api/incidents',
      {
        type: 'complaint',
        category: 'roads.pothole',
        channel: 'phone',
        description: `partial move ${run}`,
        location: { type: 'Point', coordinates: point },
      },
      cookie,
    );
    expect(created.status).toBe(201);
    const id = created.body.id;
    const before = await counts();
    const state = async () => (await t.pool.query(`SELECT status, version, service_id FROM incidents WHERE id = $1`, [id])).rows[0];
    const was = await state();
    const services = (await t.json('/api/meta')).body.services;
    const res = seen(
      await post(
        `/api/incidents/${id}/transitions`,
        { to: 'assigned', version: was.version, service: services[0].code, note: 'fail midway' },
        admin,
      ),
      true,
    );
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal');
    expect(await state()).toEqual(was);
    expect(await counts()).toEqual(before);
  });
});
