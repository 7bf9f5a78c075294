/**
 * Group commit of intake: appeals POSTed at the same time share transactions (rows of one
 * transaction share `xmin`), yet each gets the answer it would get alone: its own number and
 * deadline, duplicates among those registered before it, its own refusal (outside the city, a
 * reused key), a replay for a repeated key, and a failure of one appeal leaves the others in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

const t = testApp();
const run = Date.now().toString(36);
let cookie: string;
let district: { code: string; lng: number; lat: number };

beforeAll(async () => {
  cookie = await t.login('dispatcher');
  district = (await t.json('/api/meta')).body.districts[2];
  await t.pool.query(`CREATE FUNCTION test_batch_fail() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.name = 'Batch Fail' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`);
  await t.pool.query(`CREATE TRIGGER test_batch_fail AFTER INSERT ON incident_reporters FOR EACH ROW EXECUTE FUNCTION test_batch_fail()`);
});

afterAll(async () => {
  await t.pool.query('DROP TRIGGER IF EXISTS test_batch_fail ON incident_reporters');
  await t.pool.query('DROP FUNCTION IF EXISTS test_batch_fail()');
});

const appeal = (i: number, extra: Record<string, unknown> = {}) => ({
  type: 'complaint',
  category: 'roads.pothole',
  channel: 'phone',
  description: `batch ${run} ${i}`,
  // All within a few metres: each is a duplicate candidate of the others.
  location: { type: 'Point', coordinates: [district.lng + i * 0.00001, district.lat] },
  ...extra,
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  t.json('/api/incidents', {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, ...headers },
    body: JSON.stringify(body),
  });

describe('appeals registered at the same time', () => {
  it('share transactions and still each get their own number, deadline and earlier duplicates', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => post(appeal(i))));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    const bodies = answers.map((a) => a.body).sort((a, b) => a.id - b.id);
    expect(new Set(bodies.map((b) => b.number)).size).toBe(30);
    const { rows } = await t.pool.query<{ id: string; tx: string }>(
      `SELECT id, xmin::text AS tx FROM incidents WHERE id = ANY($1::bigint[])`,
      [bodies.map((b) => b.id)],
    );
    const txOf = new Map(rows.map((r) => [Number(r.id), r.tx]));
    const groups = new Set(txOf.values());
    expect(groups.size).toBeLessThan(30);
    // Within a transaction numbers follow ids: the group is numbered in arrival order. (Groups
    // committing side by side on two connections may interleave; neither came first.)
    const seq = (n: string) => Number(n.split('-').at(-1));
    for (const tx of groups) {
      const mates = bodies.filter((b) => txOf.get(b.id) === tx);
      for (let k = 1; k < mates.length; k++) expect(seq(mates[k].number)).toBeGreaterThan(seq(mates[k - 1].number));
    }
    // Within one transaction an appeal sees those registered before it, never one after it, as
    // it would one at a time (a group that committed meanwhile is simply there, as any appeal).
    const ours = new Set(bodies.map((b) => b.id));
    const indexOf = new Map(answers.map((a, i) => [a.body.id as number, i]));
    for (const b of bodies) {
      const mates = bodies.filter((o) => txOf.get(o.id) === txOf.get(b.id));
      const seen = b.duplicates.map((d: { id: number }) => d.id).filter((id: number) => ours.has(id));
      const seenMates = seen.filter((id: number) => mates.some((m) => m.id === id));
      expect(seen).not.toContain(b.id);
      expect(seenMates.every((id: number) => id < b.id)).toBe(true);
      // Every earlier mate is listed, unless the list is full (20, nearest first): then each one
      // left out lies no nearer than the farthest listed (appeal i lies i × 0.00001° ≈ 0.8 m east).
      const listed = new Set(seenMates);
      const left = mates.filter((m) => m.id < b.id && !listed.has(m.id));
      const farthest = Math.max(0, ...b.duplicates.map((d: { distance_m: number }) => d.distance_m));
      const metres = (m: { id: number }) => Math.abs(indexOf.get(m.id)! - indexOf.get(b.id)!) * 0.8;
      expect(left.every((m) => b.duplicates.length === 20 && metres(m) >= farthest - 1)).toBe(true);
      expect(b.district.code).toBe(district.code);
      expect(Date.parse(b.due_at)).toBeGreaterThan(Date.parse(b.created_at));
    }
    expect(Math.max(...bodies.map((b) => b.duplicates.length))).toBeLessThanOrEqual(20);
  });

  it('refuse only the appeal that is wrong, replay a repeated key, and keep the rest', async () => {
    const key = `batch-${run}`;
    const answers = await Promise.all([
      post(appeal(100)),
      post(appeal(101, { location: { type: 'Point', coordinates: [0, 0] } })),
      post(appeal(102), { 'Idempotency-Key': key }),
      post(appeal(102), { 'Idempotency-Key': key }),
      post(appeal(104, { category: 'no.such.category' })),
      post(appeal(105)),
    ]);
    expect(answers.map((a) => a.status)).toEqual([201, 422, 201, 201, 400, 201]);
    expect(answers[1].body.error.code).toBe('outside_city');
    // The same appeal, once: one of the two answers is the replay of the other, whichever came first.
    expect(answers[3].body).toEqual(answers[2].body);
    expect([answers[2], answers[3]].filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(1);
    // The key now belongs to that appeal: another appeal under it is refused, with a batch in flight.
    const again = await Promise.all([post(appeal(103), { 'Idempotency-Key': key }), post(appeal(106))]);
    expect(again.map((a) => a.status)).toEqual([422, 201]);
    expect(again[0].body.error.code).toBe('idempotency_key_reused');
    const { rows } = await t.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM incidents WHERE description LIKE $1`, [
      `batch ${run} 10_`,
    ]);
    expect(rows[0].n).toBe(4);
  });

  it('a failure inside one appeal’s writes costs that appeal alone', async () => {
    const before = (await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM incidents')).rows[0].n;
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        post(appeal(200 + i, { reporter: { name: i === 5 ? 'Batch Fail' : 'Batch Fine', phone: '+7 701 000 00 00' } })),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map((_, i) => (i === 5 ? 500 : 201)));
    expect(answers[5].body.error.code).toBe('internal');
    const after = (await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM incidents')).rows[0].n;
    expect(after - before).toBe(11);
    const { rows } = await t.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM incident_reporters r JOIN incidents i ON i.id = r.incident_id WHERE i.description LIKE $1`,
      [`batch ${run} 2__`],
    );
    expect(rows[0].n).toBe(11);
  });
});
