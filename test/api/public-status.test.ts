import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { createPool } from '../../server/db/pool.ts';
import { MISS_LIMIT } from '../../server/lifecycle/miss-counter.ts';
import { testApp } from '../helpers/app.ts';
import { lifecycleKit } from '../helpers/lifecycle.ts';

/**
 * Finding 9: an appeal's public status needs its number and a second factor (the last four
 * digits of the reporter's phone, or the citizen's link), and misses are throttled per client
 * address (10 per 10 minutes, kept in the database) so that numbers cannot be enumerated.
 * Requests carry X-Forwarded-For behind a trusted proxy, each test its own address.
 */
const t = testApp({ JARDEM_TRUST_PROXY: 'true' });
const { kit, create, must } = lifecycleKit(t, 91);
let seq = 0;
const newAddress = () => `198.51.100.${(++seq % 250) + 1}`;
const get = async (path: string, address: string): Promise<Response> => t.request(path, { headers: { 'x-forwarded-for': address } });

let a: { id: number; number: string };
let token = '';

beforeAll(async () => {
  await t.pool.query(`DELETE FROM public_lookup_misses WHERE address LIKE '198.51.100.%'`);
  // Kept for triage (issue 18), so that the dispatcher's assignment is a move of its own.
  a = await create({ reporter: { name: 'Статус Проверкин', phone: '+7 (705) 123-98-76' }, triage: true });
  await must(a.id, 'dispatcher', { to: 'assigned', service: kit.executorService });
  await must(a.id, 'executor', { to: 'in_progress' });
  await must(a.id, 'executor', { to: 'resolved', note: 'Выбоина заделана' });
  const links = (await t.json(`/api/incidents/${a.id}`, { headers: { cookie: kit.cookie.dispatcher } })).body.feedback_links;
  token = links[0].url.split('/').pop();
});
afterAll(() => t.pool.query(`DELETE FROM public_lookup_misses WHERE address LIKE '198.51.100.%'`));

describe('GET /api/public/incidents/:number needs a second factor', () => {
  it('answers 400 to a number alone, saying what to add', async () => {
    const res = await get(`/api/public/incidents/${a.number}`, newAddress());
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toMatch(/phone4/);
    expect(body.error.message).toMatch(/token/);
    expect(JSON.stringify(body)).not.toMatch(/Выбоина|in_progress|resolved/);
  });

  it('answers 400 to a malformed factor and to unknown parameters', async () => {
    const ip = newAddress();
    expect((await get(`/api/public/incidents/${a.number}?phone4=98`, ip)).status).toBe(400);
    expect((await get(`/api/public/incidents/${a.number}?phone4=abcd`, ip)).status).toBe(400);
    expect((await get(`/api/public/incidents/${a.number}?token=short`, ip)).status).toBe(400);
    expect((await get(`/api/public/incidents/${a.number}?phone=9876`, ip)).status).toBe(400);
  });

  it('shows the status with the last four digits of the phone, or with the link', async () => {
    const ip = newAddress();
    for (const q of ['phone4=9876', `token=${token}`]) {
      const res = await get(`/api/public/incidents/${a.number}?${q}`, ip);
      expect(res.status, q).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toMatchObject({ number: a.number, status: 'resolved', resolution_note: 'Выбоина заделана' });
    }
  });

  it('answers a wrong factor exactly as an unknown number (404, no hint which)', async () => {
    const ip = newAddress();
    const wrong = await get(`/api/public/incidents/${a.number}?phone4=1111`, ip);
    const unknown = await get(`/api/public/incidents/109-1999-999999?phone4=9876`, ip);
    const otherToken = await get(`/api/public/incidents/${a.number}?token=${'A'.repeat(43)}`, ip);
    for (const res of [wrong, unknown, otherToken]) expect(res.status).toBe(404);
    const bodies = await Promise.all([wrong.json(), unknown.json(), otherToken.json()]);
    expect(bodies[0]).toEqual(bodies[1]);
    expect(bodies[0]).toEqual(bodies[2]);
  });
});

describe('what the citizen reads (issue 20: the portal\'s "my appeal")', () => {
  it('the responsible service, the deadline and the public timeline: internal notes left out, public notes redacted', async () => {
    const b = await create({ reporter: { name: 'Лента Событий', phone: '+7 705 000 12 34' }, triage: true });
    await must(b.id, 'dispatcher', { to: 'assigned', service: kit.executorService, note: 'Бригада Петрова, звонить 8 701 222 33 44' });
    await must(b.id, 'executor', { to: 'in_progress' });
    await must(b.id, 'executor', { to: 'resolved', note: 'Заделано; вопросы по тел. +7 701 222 33 44' });
    const res = await get(`/api/public/incidents/${b.number}?phone4=1234`, newAddress());
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.service).toMatchObject({ code: kit.executorService });
    expect(Object.keys(body.service.name).sort()).toEqual(['en', 'kk', 'ru']);
    expect(Date.parse(body.due_at)).toBeGreaterThan(Date.parse(body.created_at));
    expect(body.timeline.map((e: { status: string }) => e.status)).toEqual(['new', 'assigned', 'in_progress', 'resolved']);
    expect(body.timeline[1].note).toBeNull();
    expect(body.timeline[3].note).toBe('Заделано; вопросы по тел. […]');
    expect(JSON.stringify(body)).not.toMatch(/Петрова|222 33 44|Лента|0001234/);
  });
});

describe('enumeration is throttled per address', () => {
  it(`answers 429 with Retry-After after ${MISS_LIMIT} misses in ten minutes, even to the right factor; other addresses go on`, async () => {
    const ip = newAddress();
    const base = Number(a.number.split('-').pop());
    const year = a.number.split('-')[1];
    const statuses: number[] = [];
    for (let i = 1; i <= MISS_LIMIT + 5; i++) {
      const n = `109-${year}-${String(base + 100_000 + i).padStart(6, '0')}`;
      statuses.push((await get(`/api/public/incidents/${n}?phone4=0000`, ip)).status);
    }
    expect(statuses.slice(0, MISS_LIMIT)).toEqual(Array(MISS_LIMIT).fill(404));
    expect(statuses.slice(MISS_LIMIT)).toEqual(Array(5).fill(429));
    const blocked = await get(`/api/public/incidents/${a.number}?phone4=9876`, ip);
    expect(blocked.status).toBe(429);
    const retry = Number(blocked.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(600);
    const body = await blocked.json();
    expect(body.error.code).toBe('too_many_requests');
    expect(JSON.stringify(body)).not.toMatch(/Выбоина/);
    // Another address is not affected.
    expect((await get(`/api/public/incidents/${a.number}?phone4=9876`, newAddress())).status).toBe(200);
  });

  it('finds do not count as misses', async () => {
    const ip = newAddress();
    for (let i = 0; i < MISS_LIMIT + 5; i++) expect((await get(`/api/public/incidents/${a.number}?phone4=9876`, ip)).status).toBe(200);
  });

  it('holds under concurrent guesses: at most the limit get past the counter', async () => {
    const ip = newAddress();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => get(`/api/public/incidents/${a.number}?phone4=${String(2000 + i)}`, ip).then((r) => r.status)),
    );
    expect(results.filter((s) => s === 404).length).toBeLessThanOrEqual(MISS_LIMIT);
    expect(results.filter((s) => s === 429).length).toBeGreaterThanOrEqual(40 - MISS_LIMIT);
  });

  it('survives a restart: a new instance on the same database still refuses the address', async () => {
    const ip = newAddress();
    for (let i = 0; i < MISS_LIMIT; i++) await get(`/api/public/incidents/${a.number}?phone4=${String(3000 + i)}`, ip);
    const pool = createPool(inject('databaseUrl'), 2);
    try {
      const second = createApp({ pool, engine: t.engine, config: t.config });
      const res = await second.request(`/api/public/incidents/${a.number}?phone4=9876`, { headers: { 'x-forwarded-for': ip } });
      expect(res.status).toBe(429);
    } finally {
      await pool.end();
    }
  });
});
