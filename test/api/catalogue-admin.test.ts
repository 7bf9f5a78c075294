import { afterAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createPool } from '../../server/db/pool.ts';
import { testApp } from '../helpers/app.ts';

/**
 * The city edits its catalogue in /admin (issue 19, item 3): categories, services, routing rules
 * and the calendar, every change versioned and logged, seen at once without a restart, old
 * deadlines kept, export and import as the pack's JSON.
 */
const t = testApp();
const C = '/api/admin/catalogue';
const send = (method: string, body: unknown, cookie: string) => ({
  method,
  headers: { 'content-type': 'application/json', cookie },
  body: JSON.stringify(body),
});
const names = (en: string) => ({ kk: `${en} (kk)`, ru: `${en} (ru)`, en });

async function districtsOf() {
  return (await t.json('/api/meta')).body.districts as { code: string; lng: number; lat: number }[];
}

async function registerAs(cookie: string, category: string, at: { lng: number; lat: number }, type = 'complaint') {
  return t.json(
    '/api/incidents',
    send(
      'POST',
      {
        type,
        category,
        channel: 'phone',
        description: 'Test of the catalogue',
        location: { type: 'Point', coordinates: [at.lng, at.lat] },
      },
      cookie,
    ),
  );
}

async function category(code: string, cookie: string) {
  return ((await t.json(C, { headers: { cookie } })).body.categories as any[]).find((c) => c.code === code);
}

describe('catalogue administration', () => {
  it('is for admins only, validates its input and answers JSON errors', async () => {
    expect((await t.json(C)).status).toBe(401);
    const dispatcher = await t.login('dispatcher');
    const refused = await t.json(C, { headers: { cookie: dispatcher } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await t.json(`${C}/categories`, send('POST', { code: 'x.y', parent: null, name: names('X') }, dispatcher))).status).toBe(403);

    const admin = await t.login('admin');
    const all = await t.json(C, { headers: { cookie: admin } });
    expect(all.status).toBe(200);
    expect(all.body.version).toBeGreaterThan(0);
    expect(all.body.categories.find((c: any) => c.code === 'roads.pothole')).toMatchObject({ active: true, version: 1, sphere: 'roads' });
    expect(all.body.services.length).toBeGreaterThan(5);
    expect(all.body.routing.length).toBeGreaterThan(0);
    expect(all.body.holidays.length).toBeGreaterThan(0);
    expect((await t.json(`${C}?x=1`, { headers: { cookie: admin } })).status).toBe(400);

    // The law's 15 working days, the tree's depth, codes that exist.
    const tooLong = await t.json(
      `${C}/categories`,
      send('POST', { code: 'roads.slow', parent: 'roads', name: names('Slow'), norm: { workingDays: 16 } }, admin),
    );
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.code).toBe('invalid_parameter');
    expect(tooLong.body.error.details.some((d: any) => d.path.startsWith('norm'))).toBe(true);
    expect(
      (
        await t.json(
          `${C}/categories`,
          send('POST', { code: 'roads.slow', parent: 'roads', name: names('Slow'), norm: { hours: 361 } }, admin),
        )
      ).status,
    ).toBe(400);
    expect(
      (await t.json(`${C}/categories`, send('POST', { code: 'roads.slow', parent: 'roads', name: { kk: 'a', ru: 'b' } }, admin))).status,
    ).toBe(400);
    expect(
      (await t.json(`${C}/categories`, send('POST', { code: 'Roads Slow', parent: 'roads', name: names('Slow') }, admin))).status,
    ).toBe(400);
    const noParent = await t.json(
      `${C}/categories`,
      send('POST', { code: 'nowhere.kind', parent: 'nowhere', name: names('Nowhere') }, admin),
    );
    expect(noParent.status).toBe(400);
    expect(noParent.body.error.details[0].path).toBe('parent');
    const taken = await t.json(`${C}/categories`, send('POST', { code: 'roads.pothole', parent: 'roads', name: names('Again') }, admin));
    expect(taken.status).toBe(409);
    const badService = await t.json(
      `${C}/categories`,
      send('POST', { code: 'roads.slow', parent: 'roads', name: names('Slow'), service: 'nobody' }, admin),
    );
    expect(badService.status).toBe(400);
    expect(JSON.stringify(badService.body)).not.toMatch(/SELECT|INSERT|at .*\.ts/);
  });

  it('adds a kind that intake accepts at once, with its own norm; later norm changes leave set deadlines alone', async () => {
    const admin = await t.login('admin');
    const dispatcher = await t.login('dispatcher');
    const [d] = await districtsOf();
    const before = await registerAs(dispatcher, 'roads.pothole.catadmin_a', d);
    expect(before.status).toBe(400);

    const created = await t.json(
      `${C}/categories`,
      send(
        'POST',
        { code: 'roads.pothole.catadmin_a', parent: 'roads.pothole', name: names('Sunken hatch'), norm: { hours: 24 }, priority: 2 },
        admin,
      ),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      parent: 'roads.pothole',
      sphere: 'roads',
      depth: 2,
      norm: { hours: 24 },
      priority: 2,
      version: 1,
      active: true,
    });
    // Unset settings come from the parent, as a pack's do.
    const parent = await category('roads.pothole', admin);
    expect(created.body.service).toBe(parent.service);

    // No restart, no wait: /api/meta lists it and intake takes it.
    expect((await t.json('/api/meta')).body.categories.some((c: any) => c.code === 'roads.pothole.catadmin_a')).toBe(true);
    const first = await registerAs(dispatcher, 'roads.pothole.catadmin_a', d);
    expect(first.status).toBe(201);
    const row = async (id: number) =>
      (await t.pool.query(`SELECT due_at, extract(epoch FROM due_at - created_at) / 3600 AS h FROM incidents WHERE id = $1`, [id])).rows[0];
    expect(Number((await row(first.body.id)).h)).toBeCloseTo(24, 5);
    // The category filter knows the new code at once too (the cached lists were dropped).
    const listed = await t.json(`/api/incidents?category=roads.pothole.catadmin_a`, { headers: { cookie: dispatcher } });
    expect(listed.status).toBe(200);
    expect(listed.body.features.map((f: any) => f.id ?? f.properties.id)).toContain(first.body.id);

    const changed = await t.json(`${C}/categories/roads.pothole.catadmin_a`, send('PATCH', { version: 1, norm: { hours: 48 } }, admin));
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ norm: { hours: 48 }, version: 2 });
    const kept = await row(first.body.id);
    expect(Number(kept.h)).toBeCloseTo(24, 5);
    expect(new Date(kept.due_at).toISOString()).toBe(new Date(first.body.due_at).toISOString());
    const second = await registerAs(dispatcher, 'roads.pothole.catadmin_a', d);
    expect(Number((await row(second.body.id)).h)).toBeCloseTo(48, 5);
  });

  it('renames in three languages with optimistic concurrency, moves and retires a kind without losing its history', async () => {
    const admin = await t.login('admin');
    const dispatcher = await t.login('dispatcher');
    const [d] = await districtsOf();
    await t.json(
      `${C}/categories`,
      send('POST', { code: 'roads.catadmin_b', parent: 'roads', name: names('Kerb'), norm: { workingDays: 5 } }, admin),
    );
    const appeal = await registerAs(dispatcher, 'roads.catadmin_b', d);
    expect(appeal.status).toBe(201);

    const renamed = await t.json(
      `${C}/categories/roads.catadmin_b`,
      send('PATCH', { version: 1, name: { kk: 'Жиектас', ru: 'Бордюр', en: 'Kerbstone' } }, admin),
    );
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toEqual({ kk: 'Жиектас', ru: 'Бордюр', en: 'Kerbstone' });
    // A second editor still holding version 1 is refused, and nothing is written.
    const stale = await t.json(`${C}/categories/roads.catadmin_b`, send('PATCH', { version: 1, name: names('Lost edit') }, admin));
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('conflict');
    expect(stale.body.error.details[0]).toMatchObject({ path: 'version', current: 2 });
    expect((await category('roads.catadmin_b', admin)).name.en).toBe('Kerbstone');
    expect((await t.json(`${C}/categories/nothing.here`, send('PATCH', { version: 1, priority: 2 }, admin))).status).toBe(404);
    expect((await t.json(`${C}/categories/roads.catadmin_b`, send('PATCH', { version: 2, nonsense: 1 }, admin))).status).toBe(400);

    // Move under another sphere: its sphere follows, the appeal keeps its category.
    const otherSphere = (await t.json(C, { headers: { cookie: admin } })).body.categories.find(
      (c: any) => c.depth === 0 && c.code !== 'roads',
    ).code;
    const moved = await t.json(`${C}/categories/roads.catadmin_b`, send('PATCH', { version: 2, parent: otherSphere }, admin));
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ parent: otherSphere, sphere: otherSphere, depth: 1 });
    const cannot = await t.json(
      `${C}/categories/roads`,
      send('PATCH', { version: (await category('roads', admin)).version, parent: 'roads.pothole' }, admin),
    );
    expect(cannot.status).toBe(400);

    // Retire: no longer offered or accepted at intake, still on the old appeal and in its filters and statistics.
    const retired = await t.json(`${C}/categories/roads.catadmin_b`, send('PATCH', { version: 3, active: false }, admin));
    expect(retired.status).toBe(200);
    expect(retired.body).toMatchObject({ active: false });
    expect(retired.body.retiredAt).toBeTruthy();
    expect((await t.json('/api/meta')).body.categories.some((c: any) => c.code === 'roads.catadmin_b')).toBe(false);
    const refused = await registerAs(dispatcher, 'roads.catadmin_b', d);
    expect(refused.status).toBe(400);
    const old = await t.json(`/api/incidents/${appeal.body.id}`, { headers: { cookie: dispatcher } });
    expect(old.body.properties.category).toBe('roads.catadmin_b');
    const filtered = await t.json(`/api/incidents?category=roads.catadmin_b`, { headers: { cookie: dispatcher } });
    expect(filtered.status).toBe(200);
    expect(filtered.body.numberMatched).toBe(1);
    const stats = await t.json(`/api/stats/summary?category=roads.catadmin_b`, { headers: { cookie: dispatcher } });
    expect(stats.status).toBe(200);

    // Restore it.
    const restored = await t.json(
      `${C}/categories/roads.catadmin_b`,
      send('PATCH', { version: retired.body.version, active: true }, admin),
    );
    expect(restored.body).toMatchObject({ active: true, retiredAt: null });
    expect((await registerAs(dispatcher, 'roads.catadmin_b', d)).status).toBe(201);

    // Retiring a category retires the kinds below it.
    await t.json(`${C}/categories`, send('POST', { code: 'roads.catadmin_b.sub', parent: 'roads.catadmin_b', name: names('Sub') }, admin));
    await t.json(`${C}/categories/roads.catadmin_b`, send('PATCH', { version: restored.body.version, active: false }, admin));
    expect((await category('roads.catadmin_b.sub', admin)).active).toBe(false);

    // The log says who did what, with the row before and after.
    const log = await t.json(`${C}/changes?code=roads.catadmin_b`, { headers: { cookie: admin } });
    expect(log.status).toBe(200);
    expect(log.body.items.map((x: any) => x.action)).toEqual(['retire', 'restore', 'retire', 'move', 'update', 'create']);
    const rename = log.body.items.find((x: any) => x.action === 'update');
    expect(rename).toMatchObject({ login: 'admin', entity: 'category' });
    expect(rename.before.name.en).toBe('Kerb');
    expect(rename.after.name.en).toBe('Kerbstone');
    const sub = await t.json(`${C}/changes?code=roads.catadmin_b.sub`, { headers: { cookie: admin } });
    expect(sub.body.items[0]).toMatchObject({ action: 'retire' });
    const page = await t.json(`${C}/changes?limit=2`, { headers: { cookie: admin } });
    expect(page.body.items).toHaveLength(2);
    expect(page.body.next).toBe(page.body.items[1].id);
  });

  it('edits services and refuses to deactivate one that appeals are still routed to', async () => {
    const admin = await t.login('admin');
    const made = await t.json(
      `${C}/services`,
      send('POST', { code: 'catadmin_svc', name: names('Hatch crew'), phone: '+7 7262 00 00 00' }, admin),
    );
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ code: 'catadmin_svc', active: true, version: 1 });
    expect((await t.json(`${C}/services`, send('POST', { code: 'catadmin_svc', name: names('Again') }, admin))).status).toBe(409);
    const edited = await t.json(`${C}/services/catadmin_svc`, send('PATCH', { version: 1, email: 'crew@example.kz', phone: null }, admin));
    expect(edited.body).toMatchObject({ email: 'crew@example.kz', phone: null, version: 2 });
    expect((await t.json('/api/meta')).body.services.some((s: any) => s.code === 'catadmin_svc')).toBe(true);

    const used = (await t.json(C, { headers: { cookie: admin } })).body.services.find((s: any) => s.code === 'vodokanal');
    const busy = await t.json(`${C}/services/vodokanal`, send('PATCH', { version: used.version, active: false }, admin));
    expect(busy.status).toBe(409);
    const off = await t.json(`${C}/services/catadmin_svc`, send('PATCH', { version: 2, active: false }, admin));
    expect(off.body.active).toBe(false);
    expect((await t.json('/api/meta')).body.services.some((s: any) => s.code === 'catadmin_svc')).toBe(false);
  });

  it('previews routing with the function intake uses, and edits rules', async () => {
    const admin = await t.login('admin');
    const dispatcher = await t.login('dispatcher');
    const [d1, d2] = await districtsOf();
    await t.json(`${C}/services`, send('POST', { code: 'catadmin_route', name: names('Route crew') }, admin));
    await t.json(
      `${C}/categories`,
      send('POST', { code: 'roads.catadmin_c', parent: 'roads', name: names('Hatch'), service: 'roads_main' }, admin),
    );

    const preview = (at: { lng: number; lat: number }, cat = 'roads.catadmin_c') =>
      t.json(`${C}/routing/preview`, send('POST', { category: cat, lng: at.lng, lat: at.lat }, admin));
    const before = await preview(d1);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ district: { code: d1.code }, service: { code: 'roads_main' }, rule: null });

    const rule = await t.json(
      `${C}/routing`,
      send('POST', { category: 'roads.catadmin_c', district: d1.code, service: 'catadmin_route' }, admin),
    );
    expect(rule.status).toBe(201);
    expect(
      (await t.json(`${C}/routing`, send('POST', { category: 'roads.catadmin_c', district: d1.code, service: 'roads_main' }, admin)))
        .status,
    ).toBe(409);
    const inD1 = await preview(d1);
    expect(inD1.body).toMatchObject({ service: { code: 'catadmin_route' }, rule: { category: 'roads.catadmin_c', district: d1.code } });
    expect((await preview(d2)).body).toMatchObject({ district: { code: d2.code }, service: { code: 'roads_main' }, rule: null });
    // Intake routes the same way.
    const appeal = await registerAs(dispatcher, 'roads.catadmin_c', d1);
    expect(appeal.body.service.code).toBe('catadmin_route');
    expect((await registerAs(dispatcher, 'roads.catadmin_c', d2)).body.service.code).toBe('roads_main');

    const outside = await preview({ lng: 0, lat: 0 });
    expect(outside.status).toBe(422);
    expect(outside.body.error.code).toBe('outside_city');
    expect((await preview(d1, 'no.such')).status).toBe(400);
    expect((await t.json(`${C}/routing/preview`, send('POST', { category: 'roads.catadmin_c', lng: 200, lat: 0 }, admin))).status).toBe(
      400,
    );

    const patched = await t.json(`${C}/routing/${rule.body.id}`, send('PATCH', { version: 1, service: 'roads_west' }, admin));
    expect(patched.body).toMatchObject({ service: 'roads_west', version: 2 });
    expect((await preview(d1)).body.service.code).toBe('roads_west');
    expect((await t.request(`${C}/routing/${rule.body.id}?version=1`, { method: 'DELETE', headers: { cookie: admin } })).status).toBe(409);
    expect((await t.request(`${C}/routing/${rule.body.id}?version=2`, { method: 'DELETE', headers: { cookie: admin } })).status).toBe(200);
    expect((await preview(d1)).body.service.code).toBe('roads_main');
    const log = await t.json(`${C}/changes?entity=routing`, { headers: { cookie: admin } });
    expect(log.body.items.slice(0, 3).map((x: any) => x.action)).toEqual(['delete', 'update', 'create']);
  });

  it('edits the working calendar; new deadlines count with it at once, set ones stay', async () => {
    const admin = await t.login('admin');
    const dispatcher = await t.login('dispatcher');
    const [d] = await districtsOf();
    await t.json(
      `${C}/categories`,
      send('POST', { code: 'roads.catadmin_day', parent: 'roads', name: names('Day'), norm: { workingDays: 1 } }, admin),
    );
    const first = await registerAs(dispatcher, 'roads.catadmin_day', d);
    const dueDay = async (id: number) =>
      (
        await t.pool.query(
          `SELECT to_char(i.due_at AT TIME ZONE (SELECT value->>'timeZone' FROM city_settings WHERE key = 'city'), 'YYYY-MM-DD') AS day, i.due_at
             FROM incidents i WHERE i.id = $1`,
          [id],
        )
      ).rows[0];
    const was = await dueDay(first.body.id);
    // The day the deadline falls on becomes a holiday: a new appeal's deadline moves past it.
    const off = await t.json(`${C}/holidays/${was.day}`, send('PUT', { kind: 'holiday', name: { en: 'Declared' } }, admin));
    expect(off.status).toBe(200);
    const second = await registerAs(dispatcher, 'roads.catadmin_day', d);
    expect(Date.parse((await dueDay(second.body.id)).due_at)).toBeGreaterThan(Date.parse(was.due_at));
    expect((await dueDay(first.body.id)).due_at.toISOString()).toBe(was.due_at.toISOString());
    expect((await t.request(`${C}/holidays/${was.day}`, { method: 'DELETE', headers: { cookie: admin } })).status).toBe(200);

    const put = await t.json(`${C}/holidays/2031-03-12`, send('PUT', { kind: 'holiday', name: { en: 'Test day', ru: 'Тест' } }, admin));
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ date: '2031-03-12', kind: 'holiday', name: { en: 'Test day', ru: 'Тест', kk: null } });
    const { holidays } = (await t.json(C, { headers: { cookie: admin } })).body;
    expect(holidays.some((h: any) => h.date === '2031-03-12')).toBe(true);
    expect((await t.json(`${C}/holidays/2031-02-30`, send('PUT', { kind: 'holiday' }, admin))).status).toBe(400);
    expect((await t.json(`${C}/holidays/2031-03-13`, send('PUT', { kind: 'weekend' }, admin))).status).toBe(400);
    expect((await t.request(`${C}/holidays/2031-03-12`, { method: 'DELETE', headers: { cookie: admin } })).status).toBe(200);
    expect((await t.request(`${C}/holidays/2031-03-12`, { method: 'DELETE', headers: { cookie: admin } })).status).toBe(404);
    const log = await t.json(`${C}/changes?entity=holiday`, { headers: { cookie: admin } });
    expect(log.body.items.slice(0, 2).map((x: any) => [x.code, x.action])).toEqual([
      ['2031-03-12', 'delete'],
      ['2031-03-12', 'create'],
    ]);
  });

  it('sees an edit made on another instance within a second, without a restart', async () => {
    // A second API instance with its own pool and its own cached lists, like a second server behind the balancer.
    const pool = createPool(inject('databaseUrl'), 2);
    afterAll(() => pool.end());
    const other = createApp({ pool, engine: inject('engine'), config: loadConfig({ JARDEM_DEMO: 'true', LOG_LEVEL: 'silent' }) });
    // Sessions live in the database: a session opened on one instance is valid on the other.
    const cookie = await t.login('dispatcher');
    const filter = () => other.request('/api/incidents?category=roads.catadmin_x', { headers: { cookie } });
    expect((await filter()).status).toBe(400); // unknown there, and now cached there
    const admin = await t.login('admin');
    expect(
      (await t.json(`${C}/categories`, send('POST', { code: 'roads.catadmin_x', parent: 'roads', name: names('Other') }, admin))).status,
    ).toBe(201);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await filter()).status).toBe(200);
  });

  it('exports the catalogue as the pack JSON and imports it back: dry run, full validation, one transaction', async () => {
    const admin = await t.login('admin');
    const exported = await t.json(`${C}/export`, { headers: { cookie: admin } });
    expect(exported.status).toBe(200);
    const doc = exported.body;
    expect(doc.format).toBe('jardem-catalogue');
    expect(doc.categories.length).toBeGreaterThan(5);
    expect(doc.services.length).toBeGreaterThan(5);
    const flat = (nodes: any[]): any[] => nodes.flatMap((n) => [n, ...flat(n.children ?? [])]);
    expect(flat(doc.categories).some((n) => n.code === 'roads.catadmin_b')).toBe(false); // retired above: not offered

    // The same document changes nothing.
    const same = await t.json(`${C}/import?dryRun=true`, send('POST', doc, admin));
    expect(same.status).toBe(200);
    expect(same.body.categories).toEqual({ added: [], changed: [], retired: [], restored: [] });
    expect(same.body.routing).toEqual({ added: [], changed: [], removed: [] });
    expect(same.body.holidays).toEqual({ added: [], changed: [], removed: [] });
    expect(same.body.services.added).toEqual([]);
    expect(same.body.services.changed).toEqual([]);

    // Fields this schema has no column for ride along untouched; a rename and a new kind show in the diff.
    const edited = structuredClone(doc);
    const pothole = flat(edited.categories).find((n) => n.code === 'roads.pothole');
    pothole.survey = { ru: ['яма', 'выбоина'], kk: ['шұңқыр'] };
    pothole.note = { ru: 'Передано в дорожную службу.' };
    pothole.name.en = 'Pothole (imported)';
    pothole.children = [
      ...(pothole.children ?? []),
      { code: 'roads.pothole.catadmin_imp', name: names('Imported kind'), norm: { hours: 12 } },
    ];
    edited.holidays.push({ date: '2032-01-02', kind: 'holiday', name: { en: 'Imported' } });
    const diff = await t.json(`${C}/import?dryRun=true`, send('POST', edited, admin));
    expect(diff.body.categories.added).toEqual(['roads.pothole.catadmin_imp']);
    expect(diff.body.categories.changed).toEqual(['roads.pothole']);
    expect(diff.body.holidays.added).toEqual(['2032-01-02']);
    // The dry run wrote nothing.
    expect((await category('roads.pothole', admin)).name.en).not.toBe('Pothole (imported)');

    expect((await t.json(`${C}/import`, send('POST', edited, admin))).status).toBe(400); // no version
    expect((await t.json(`${C}/import?version=${diff.body.version - 1}`, send('POST', edited, admin))).status).toBe(409);
    const applied = await t.json(`${C}/import?version=${diff.body.version}`, send('POST', edited, admin));
    expect(applied.status).toBe(200);
    expect(applied.body.categories.added).toEqual(['roads.pothole.catadmin_imp']);
    const row = await category('roads.pothole', admin);
    expect(row.name.en).toBe('Pothole (imported)');
    expect(row.extra).toEqual({ survey: { ru: ['яма', 'выбоина'], kk: ['шұңқыр'] }, note: { ru: 'Передано в дорожную службу.' } });
    expect((await category('roads.pothole.catadmin_imp', admin)).norm).toEqual({ hours: 12 });

    // An ordinary edit keeps the extra fields; the next export writes them back.
    await t.json(`${C}/categories/roads.pothole`, send('PATCH', { version: row.version, priority: row.priority }, admin));
    const again = (await t.json(`${C}/export`, { headers: { cookie: admin } })).body;
    const back = flat(again.categories).find((n) => n.code === 'roads.pothole');
    expect(back.survey).toEqual({ ru: ['яма', 'выбоина'], kk: ['шұңқыр'] });
    expect(back.note).toEqual({ ru: 'Передано в дорожную службу.' });
    const round = await t.json(`${C}/import?dryRun=true`, send('POST', again, admin));
    expect(round.body.categories).toEqual({ added: [], changed: [], retired: [], restored: [] });

    // A kind missing from an import is retired, not deleted.
    const without = structuredClone(again);
    const p2 = flat(without.categories).find((n) => n.code === 'roads.pothole');
    p2.children = p2.children.filter((k: any) => k.code !== 'roads.pothole.catadmin_imp');
    const dropped = await t.json(`${C}/import?dryRun=true`, send('POST', without, admin));
    expect(dropped.body.categories.retired).toEqual(['roads.pothole.catadmin_imp']);

    // Full validation: every problem listed, nothing applied.
    const broken = structuredClone(again);
    broken.services.push({ ...broken.services[0] });
    broken.routing.push({ category: 'no.such', district: null, service: 'nobody' });
    flat(broken.categories)[1].norm = { workingDays: 30 };
    const refused = await t.json(`${C}/import?dryRun=true`, send('POST', broken, admin));
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_parameter');
    const broken2 = structuredClone(again);
    broken2.services.push({ ...broken2.services[0] });
    broken2.routing.push({ category: 'no.such', district: 'nowhere', service: 'nobody' });
    const refused2 = await t.json(`${C}/import?dryRun=true`, send('POST', broken2, admin));
    expect(refused2.status).toBe(400);
    expect(refused2.body.error.code).toBe('bad_request');
    const paths = refused2.body.error.details.map((x: any) => x.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^services\[\d+\]\.code$/),
        expect.stringMatching(/^routing\[\d+\]\.category$/),
        expect.stringMatching(/^routing\[\d+\]\.service$/),
        expect.stringMatching(/^routing\[\d+\]\.district$/),
      ]),
    );

    const log = await t.json(`${C}/changes?entity=catalogue`, { headers: { cookie: admin } });
    expect(log.body.items[0]).toMatchObject({ action: 'import', login: 'admin' });
  });
  it('edits a request type, its answer in kk/ru/en and the synonyms, with the pack check’s rules, and logs them', async () => {
    const admin = await t.login('admin');
    const answer = { kk: 'Тыныштық сағат 23:00-ден 07:00-ге дейін.', ru: 'Тишина с 23:00 до 07:00.', en: 'Quiet from 23:00 to 07:00.' };
    // An information request needs its answer, in every language.
    const bare = await t.json(
      `${C}/categories`,
      send('POST', { code: 'noise.catfix_info', parent: 'noise', name: names('Quiet hours?'), type: 'information' }, admin),
    );
    expect(bare.status).toBe(400);
    expect(bare.body.error.details.map((d: any) => d.path)).toContain('answer');
    const partial = await t.json(
      `${C}/categories`,
      send(
        'POST',
        { code: 'noise.catfix_info', parent: 'noise', name: names('Quiet hours?'), type: 'information', answer: { ru: 'x' } },
        admin,
      ),
    );
    expect(partial.status).toBe(400);
    expect((await category('noise.catfix_info', admin)) ?? null).toBeNull();
    const made = await t.json(
      `${C}/categories`,
      send(
        'POST',
        {
          code: 'noise.catfix_info',
          parent: 'noise',
          name: names('Quiet hours?'),
          type: 'information',
          answer,
          synonyms: ['тишина ночью', 'тыныштық уақыты', 'тишина ночью'],
        },
        admin,
      ),
    );
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ type: 'information', answer, synonyms: ['тишина ночью', 'тыныштық уақыты'] });
    // Nothing goes below an information request.
    const under = await t.json(
      `${C}/categories`,
      send('POST', { code: 'noise.catfix_info.k', parent: 'noise.catfix_info', name: names('K') }, admin),
    );
    expect(under.status).toBe(400);
    expect(under.body.error.details.map((d: any) => d.path)).toContain('parent');

    // An answer on an ordinary kind is refused; a kind becomes an information request only with its answer.
    const kind = await category('noise.music.karaoke', admin);
    const stray = await t.json(`${C}/categories/noise.music.karaoke`, send('PATCH', { version: kind.version, answer }, admin));
    expect(stray.status).toBe(400);
    expect(stray.body.error.details.map((d: any) => d.path)).toContain('type');
    expect((await category('noise.music.karaoke', admin)).version).toBe(kind.version); // nothing written
    const noAnswer = await t.json(
      `${C}/categories/noise.music.karaoke`,
      send('PATCH', { version: kind.version, type: 'information' }, admin),
    );
    expect(noAnswer.status).toBe(400);
    // A sphere with kinds below it cannot become an information request.
    const sphere = await category('noise', admin);
    expect(
      (await t.json(`${C}/categories/noise`, send('PATCH', { version: sphere.version, type: 'information', answer }, admin))).status,
    ).toBe(400);

    // Synonyms: validated, set and logged with before and after.
    expect(
      (await t.json(`${C}/categories/noise.music.karaoke`, send('PATCH', { version: kind.version, synonyms: ['x'.repeat(501)] }, admin)))
        .status,
    ).toBe(400);
    const words = await t.json(
      `${C}/categories/noise.music.karaoke`,
      send('PATCH', { version: kind.version, synonyms: [...kind.synonyms, 'караоке орет'] }, admin),
    );
    expect(words.status).toBe(200);
    expect(words.body.synonyms).toContain('караоке орет');
    expect(words.body.version).toBe(kind.version + 1);
    const log = await t.json(`${C}/changes?entity=category&code=noise.music.karaoke`, { headers: { cookie: admin } });
    expect(log.body.items[0]).toMatchObject({ action: 'update', login: 'admin' });
    expect(log.body.items[0].before.synonyms).not.toContain('караоке орет');
    expect(log.body.items[0].after.synonyms).toContain('караоке орет');

    // Back to an ordinary kind: type and answer cleared together.
    const info = await category('noise.catfix_info', admin);
    expect((await t.json(`${C}/categories/noise.catfix_info`, send('PATCH', { version: info.version, type: null }, admin))).status).toBe(
      400,
    );
    const plain = await t.json(
      `${C}/categories/noise.catfix_info`,
      send('PATCH', { version: info.version, type: null, answer: null }, admin),
    );
    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({ type: null, answer: null });
    const again = await t.json(
      `${C}/categories/noise.catfix_info`,
      send('PATCH', { version: plain.body.version, type: 'information', answer }, admin),
    );
    expect(again.body).toMatchObject({ type: 'information', answer });
  });

  it('exports request types, answers and synonyms in the pack’s form and imports them back (dry run and apply)', async () => {
    const admin = await t.login('admin');
    const doc = (await t.json(`${C}/export`, { headers: { cookie: admin } })).body;
    const flat = (nodes: any[]): any[] => nodes.flatMap((n) => [n, ...flat(n.children ?? [])]);
    // As categories.json: type and answer on the node; as synonyms.json: a map of code -> words.
    const quiet = flat(doc.categories).find((n) => n.code === 'noise.info.quiet_hours');
    expect(quiet.type).toBe('information');
    expect(quiet.answer.ru).toMatch(/23:00/);
    expect(quiet.synonyms).toBeUndefined();
    expect(doc.synonyms['lifts.stuck'].join(' ')).toMatch(/застрял/);
    expect(flat(doc.categories).filter((n) => n.type === 'information').length).toBeGreaterThanOrEqual(100);

    // The round trip changes nothing.
    const same = await t.json(`${C}/import?dryRun=true`, send('POST', doc, admin));
    expect(same.status).toBe(200);
    expect(same.body.categories).toEqual({ added: [], changed: [], retired: [], restored: [] });

    // New words, a new answer and an information request made ordinary show in the diff, and apply.
    const edited = structuredClone(doc);
    edited.synonyms['lifts.stuck'] = [...edited.synonyms['lifts.stuck'], 'лифт встал между этажами'];
    flat(edited.categories).find((n) => n.code === 'noise.info.quiet_hours').answer.en = 'Quiet from 23:00 to 07:00 (imported).';
    const other = flat(edited.categories).find((n) => n.type === 'information' && n.code !== 'noise.info.quiet_hours');
    delete other.type;
    delete other.answer;
    const diff = await t.json(`${C}/import?dryRun=true`, send('POST', edited, admin));
    expect(diff.status).toBe(200);
    expect([...diff.body.categories.changed].sort()).toEqual(['lifts.stuck', 'noise.info.quiet_hours', other.code].sort());
    expect((await category('lifts.stuck', admin)).synonyms).not.toContain('лифт встал между этажами'); // dry run: nothing written
    const applied = await t.json(`${C}/import?version=${diff.body.version}`, send('POST', edited, admin));
    expect(applied.status).toBe(200);
    expect((await category('lifts.stuck', admin)).synonyms).toContain('лифт встал между этажами');
    expect((await category('noise.info.quiet_hours', admin)).answer.en).toBe('Quiet from 23:00 to 07:00 (imported).');
    expect(await category(other.code, admin)).toMatchObject({ type: null, answer: null });
    const round = await t.json(
      `${C}/import?dryRun=true`,
      send('POST', (await t.json(`${C}/export`, { headers: { cookie: admin } })).body, admin),
    );
    expect(round.body.categories).toEqual({ added: [], changed: [], retired: [], restored: [] });

    // The pack check's rules, every problem listed; nothing applied.
    const broken = structuredClone(edited);
    delete flat(broken.categories).find((n) => n.code === 'noise.info.quiet_hours').answer;
    flat(broken.categories).find((n) => n.code === 'lifts.stuck').answer = { ru: 'Ждите.' };
    broken.synonyms['no.such.kind'] = ['слово'];
    const refused = await t.json(`${C}/import?dryRun=true`, send('POST', broken, admin));
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.map((d: any) => d.path)).toEqual(
      expect.arrayContaining(['categories.noise.info.quiet_hours.answer', 'categories.lifts.stuck.type', 'synonyms.no.such.kind']),
    );
  });
});
