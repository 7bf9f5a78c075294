import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testApp } from '../helpers/app.ts';
import { lifecycleKit } from '../helpers/lifecycle.ts';

/**
 * Issue 21: /api/openapi.json against the live API. Every parameterless GET, the GETs that need
 * parameters (called with valid ones) and a few with ids are called; the status must be
 * documented, the Content-Type must be the documented media type, and the body must validate
 * against the documented schema (Ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses). Every JSON
 * success answer has a real schema (made from the zod definitions in server/contract), so a body
 * that drifts from its description fails here. Public operations say `security: []`.
 */
const photoDir = mkdtempSync(join(tmpdir(), 'jardem-openapi-photos-'));
afterAll(() => rmSync(photoDir, { recursive: true, force: true }));
const t = testApp({ JARDEM_PHOTO_DIR: photoDir });
const { kit, inStatus, create, version } = lifecycleKit(t, 57);
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });

/** GETs that stream without end, and the messengers' handshakes (text, and only with a bot configured). */
const SKIP = new Set(['/api/live', '/api/channels/whatsapp/webhook', '/api/channels/facebook/webhook']);
const JSON_TYPES = new Set(['application/json', 'application/geo+json']);

let doc: any;
beforeAll(async () => {
  doc = (await t.json('/api/openapi.json')).body;
  ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
});

/** The documented schema of a path's GET answer with this status and media type (templated paths matched). */
function documented(path: string, status: number, method = 'get'): { content?: Record<string, { schema: unknown }> } | undefined {
  const bare = path.split('?')[0];
  const template =
    Object.keys(doc.paths).find((p) => p === bare) ??
    Object.keys(doc.paths).find((p) => new RegExp(`^${p.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`).test(bare));
  return template ? doc.paths[template][method]?.responses[String(status)] : undefined;
}

/** What is wrong with a body answered for `method` (GET) `path` with `status` and media `type`; [] when it matches its description. */
function bodyProblems(path: string, status: number, type: string, body: unknown, method = 'get'): string[] {
  const d = documented(path, status, method);
  if (!d) return [`${path}: ${status} not documented`];
  if (!d.content) return [];
  const media = d.content[type];
  if (!media) return [`${path}: serves ${type}, documents ${Object.keys(d.content).join(', ')}`];
  if (!JSON_TYPES.has(type)) return [];
  const schema = JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components/', '"doc#/components/'));
  const validate = ajv.compile(schema);
  if (validate(body)) return [];
  // Name the member nobody documented, so that the message says what to add.
  const errors = (validate.errors ?? []).slice(0, 3).map((e) => {
    const extra = (e.params as { additionalProperty?: string }).additionalProperty;
    return `${e.instancePath || '/'} ${e.message}${extra ? ` (${extra})` : ''}`;
  });
  return [`${path}: ${errors.join(', ')}`];
}

/** GETs each path (with `cookie`, or as nobody) and lists what differs from the description; counts the JSON bodies checked. */
async function getProblems(paths: string[], cookie?: string): Promise<{ problems: string[]; checked: number }> {
  const problems: string[] = [];
  let checked = 0;
  for (const path of paths) {
    const res = await t.request(path, cookie ? { headers: { cookie } } : undefined);
    // Every body is read: a streamed export left unread would keep its database client.
    const text = await res.text();
    const type = (res.headers.get('content-type') ?? '').split(';')[0];
    if (res.status >= 400) problems.push(`${path}: answered ${res.status} ${text.slice(0, 200)}`);
    problems.push(...bodyProblems(path, res.status, type, JSON_TYPES.has(type) ? JSON.parse(text) : text));
    if (JSON_TYPES.has(type)) checked++;
  }
  return { problems, checked };
}

/** A write's answer, checked against the description of `method path` for its status. */
async function written(method: string, path: string, body: unknown, cookie: string, expected = 200) {
  const res = await t.request(path, {
    method,
    headers: { 'content-type': 'application/json', cookie },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await res.json();
  expect(res.status, `${method} ${path}: ${JSON.stringify(json).slice(0, 300)}`).toBe(expected);
  expect(bodyProblems(path, res.status, (res.headers.get('content-type') ?? '').split(';')[0], json, method.toLowerCase())).toEqual([]);
  return json;
}

describe('/api/openapi.json matches the live answers', () => {
  it('documents the status, media type and body of every GET', async () => {
    const admin = await t.login('admin');
    const one = (
      await t.pool.query(
        `SELECT i.id, i.number, c.code AS category, ST_X(i.geom) AS lng, ST_Y(i.geom) AS lat, i.address,
                (SELECT right(regexp_replace(r.phone, '[^0-9]', '', 'g'), 4) FROM incident_reporters r WHERE r.incident_id = i.id LIMIT 1) AS phone4
           FROM incidents i JOIN categories c ON c.id = i.category_id
          WHERE i.status NOT IN ('closed', 'rejected') AND i.address IS NOT NULL AND i.parent_id IS NULL
            AND EXISTS (SELECT 1 FROM incident_reporters r WHERE r.incident_id = i.id AND length(regexp_replace(r.phone, '[^0-9]', '', 'g')) >= 4)
          ORDER BY i.id LIMIT 1`,
      )
    ).rows[0];
    expect(one, 'an open appeal with an address and a phone in the demo data').toBeDefined();
    const street = String(one.address).split(',')[0];
    // Those without required parameters as they are; the others below, with parameters.
    const paths = Object.keys(doc.paths).filter(
      (p) => doc.paths[p].get && !p.includes('{') && !SKIP.has(p) && !doc.paths[p].get.parameters.some((q: any) => q.required),
    );
    paths.push(
      `/api/incidents/${one.id}`,
      `/api/incidents?status=closed&limit=5`,
      `/api/incidents/duplicates?category=${one.category}&lng=${one.lng}&lat=${one.lat}`,
      `/api/map/clusters?z=12`,
      `/api/map/clusters?z=18`,
      `/api/places/search?q=${encodeURIComponent(street)}`,
      `/api/places/reverse?lng=${one.lng}&lat=${one.lat}`,
      `/api/public/incidents/${one.number}?phone4=${one.phone4}`,
      `/api/hotspots?include=all`,
      `/api/stats/by-category?level=category`,
      '/tiles/basemap/sprite.json',
      `/api/incidents?status=open&sort=due&limit=5`,
      `/api/outages?active=false&limit=5`,
      `/api/outages?at=${one.lng},${one.lat}&category=${one.category}`,
      `/api/stats/closure?by=district`,
      `/api/field/work?sort=distance&near=${one.lng},${one.lat}`,
      `/api/field/incidents/${one.id}/proof`,
      `/api/incidents/${one.id}/measures`,
      `/api/admin/catalogue/changes?limit=5`,
      `/api/incidents/${one.id}/work-orders`,
      `/api/control/coordination?limit=5`,
    );
    // A demo appeal with co-executors, so that the work orders' shape is read from a real list.
    const withOrders = (await t.pool.query('SELECT incident_id FROM work_orders ORDER BY id LIMIT 1')).rows[0];
    expect(withOrders, 'the demo has appeals with work orders').toBeDefined();
    paths.push(`/api/incidents/${withOrders.incident_id}/work-orders`);
    const { problems, checked } = await getProblems(paths, admin);
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(40);
    // The public GETs as nobody: the answers without personal data (redacted notices, no author) match too.
    const open = paths.filter((p) => doc.paths[p.split('?')[0]]?.get?.security?.length === 0);
    expect(open).toEqual(expect.arrayContaining(['/api/meta', '/api/outages', '/api/emergencies']));
    const anonymous = await getProblems([...open, `/api/incidents/${one.id}`, '/api/incidents?limit=5'], undefined);
    expect(anonymous.problems).toEqual([]);
  });

  it('documents the answers of outages, emergencies, the field app, the catalogue editor and a disputed appeal', async () => {
    const { dispatcher, executor, admin, supervisor } = kit.cookie;
    // Outages: register, read (keeper and nobody), change, close.
    const d = kit.inside;
    const r = 0.004;
    const ring = [
      [d.lng - r, d.lat - r],
      [d.lng + r, d.lat - r],
      [d.lng + r, d.lat + r],
      [d.lng - r, d.lat + r],
      [d.lng - r, d.lat - r],
    ];
    const starts = new Date(Date.now() - 3_600_000).toISOString();
    const outage = await written(
      'POST',
      '/api/outages',
      {
        kind: 'emergency',
        services: [kit.executorService],
        area: { type: 'Polygon', coordinates: [ring] },
        starts_at: starts,
        expected_end_at: new Date(Date.now() + 3_600_000).toISOString(),
        notice: { ru: 'Авария на сети, звоните +7 701 000 00 00' },
      },
      dispatcher,
      201,
    );
    expect(outage.properties.created_by).toEqual(expect.any(Number));
    expect(outage.events.length).toBeGreaterThan(0);
    const outagePath = `/api/outages/${outage.id}`;
    expect((await getProblems([outagePath, `/api/outages?at=${d.lng},${d.lat}`], dispatcher)).problems).toEqual([]);
    expect((await getProblems([outagePath, '/api/outages?active=true'], undefined)).problems).toEqual([]);
    const changed = await written(
      'PATCH',
      outagePath,
      { version: outage.properties.version, notice: { en: 'Water main repair' } },
      dispatcher,
    );
    await written('POST', `${outagePath}/close`, { version: changed.properties.version }, dispatcher);
    // One past its expected end: the control room's alerts name it (kind outage_overdue, with the outage's id).
    const late = await written(
      'POST',
      '/api/outages',
      {
        kind: 'planned',
        services: [kit.executorService],
        area: { type: 'Polygon', coordinates: [ring] },
        starts_at: new Date(Date.now() - 3 * 3_600_000).toISOString(),
        expected_end_at: new Date(Date.now() - 3_600_000).toISOString(),
        notice: { kk: 'Жоспарлы жұмыстар' },
      },
      dispatcher,
      201,
    );
    expect(late.properties.status).toBe('overdue');
    await vi.waitFor(
      async () => {
        const alerts = (await t.json('/api/alerts', { headers: { cookie: dispatcher } })).body;
        expect(alerts.items).toContainEqual(expect.objectContaining({ kind: 'outage_overdue', outage: late.id }));
        expect(bodyProblems('/api/alerts', 200, 'application/json', alerts)).toEqual([]);
      },
      { timeout: 5000, interval: 300 },
    );
    await written('POST', `/api/outages/${late.id}/close`, { version: late.properties.version }, dispatcher);

    // Emergencies: the checklist, a tick, a hand-over (new, then known), the acknowledgement, the hold list.
    const gas = await create({ type: 'incident', category: 'gas.smell' });
    const panel = `/api/incidents/${gas.id}/measures`;
    expect((await getProblems([panel, '/api/emergencies'], dispatcher)).problems).toEqual([]);
    const measures = (await t.json(panel, { headers: { cookie: dispatcher } })).body.measures;
    const plain = measures.find((m: { handover: string | null }) => m.handover === null);
    await written('POST', panel, { measure: plain.code, done: true }, dispatcher);
    const handover = { service: '104', operator: 'Оператор Схемова', at: new Date(Date.now() - 60_000).toISOString() };
    await written('POST', `/api/incidents/${gas.id}/handovers`, handover, dispatcher, 201);
    await written('POST', `/api/incidents/${gas.id}/handovers`, handover, dispatcher, 200);
    await written('POST', `/api/incidents/${gas.id}/acknowledge`, {}, dispatcher);

    // The field app: take, upload the proof, pause, resume, resolve, review, publish.
    const job = await inStatus('assigned');
    const here = (await t.json(`/api/incidents/${job.id}`)).body.geometry.coordinates;
    const now = () => new Date().toISOString();
    await written(
      'POST',
      `/api/field/incidents/${job.id}/take`,
      { version: await version(job.id), acted_at: now(), position: here },
      executor,
    );
    let photo: any;
    for (const kind of ['before', 'after']) {
      const form = new FormData();
      for (const [k, v] of Object.entries({ kind, lng: String(here[0]), lat: String(here[1]), taken_at: now() })) form.set(k, v);
      const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#335577' } })
        .jpeg()
        .toBuffer();
      form.set('photo', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'photo.jpg');
      const res = await t.request(`/api/field/incidents/${job.id}/photos`, { method: 'POST', headers: { cookie: executor }, body: form });
      photo = await res.json();
      expect(res.status, JSON.stringify(photo)).toBe(201);
      expect(bodyProblems(`/api/field/incidents/${job.id}/photos`, 201, 'application/json', photo, 'post')).toEqual([]);
    }
    await written('POST', `/api/field/incidents/${job.id}/pause`, { reason: 'access', acted_at: now() }, executor);
    await written('POST', `/api/field/incidents/${job.id}/resume`, { acted_at: now() }, executor);
    await written(
      'POST',
      `/api/field/incidents/${job.id}/resolve`,
      { version: await version(job.id), note: 'Сделано', acted_at: now(), position: here },
      executor,
    );
    expect((await getProblems([`/api/field/incidents/${job.id}/proof`], supervisor)).problems).toEqual([]);
    await written('POST', `/api/field/photos/${photo.id}/publish`, { published: true }, supervisor);

    // A disputed appeal: open again, with the dispute shown first.
    const disputed = await inStatus('reopened');
    const page = (await t.json(`/api/incidents/${disputed.id}`, { headers: { cookie: admin } })).body;
    expect(page.dispute).toMatchObject({ via: 'staff' });
    expect((await getProblems([`/api/incidents/${disputed.id}`], admin)).problems).toEqual([]);
    expect((await getProblems([`/api/incidents/${disputed.id}`], undefined)).problems).toEqual([]);

    // The catalogue editor: preview, a rule added, changed and removed, a calendar day set and removed, an import's dry run.
    await written('POST', '/api/admin/catalogue/routing/preview', { category: 'roads.pothole', lng: d.lng, lat: d.lat }, admin);
    const other = kit.otherService;
    const rule = await written(
      'POST',
      '/api/admin/catalogue/routing',
      { category: 'roads.pothole', district: d.code, service: other },
      admin,
      201,
    );
    const ruleNow = await written(
      'PATCH',
      `/api/admin/catalogue/routing/${rule.id}`,
      { version: rule.version, service: kit.executorService },
      admin,
    );
    await written('DELETE', `/api/admin/catalogue/routing/${rule.id}?version=${ruleNow.version}`, undefined, admin);
    await written('PUT', '/api/admin/catalogue/holidays/2031-07-06', { kind: 'holiday', name: { ru: 'Проверка схем' } }, admin);
    await written('DELETE', '/api/admin/catalogue/holidays/2031-07-06', undefined, admin);
    const pothole = (await t.json('/api/admin/catalogue', { headers: { cookie: admin } })).body.categories.find(
      (c: { code: string }) => c.code === 'roads.pothole',
    );
    const renamed = await written(
      'PATCH',
      '/api/admin/catalogue/categories/roads.pothole',
      { version: pothole.version, name: { ...pothole.name, en: `${pothole.name.en} ` } },
      admin,
    );
    await written('PATCH', '/api/admin/catalogue/categories/roads.pothole', { version: renamed.version, name: pothole.name }, admin);
    const service = (await t.json('/api/admin/catalogue', { headers: { cookie: admin } })).body.services.find(
      (s: { code: string }) => s.code === other,
    );
    await written('PATCH', `/api/admin/catalogue/services/${other}`, { version: service.version, phone: service.phone }, admin);
    const exported = (await t.json('/api/admin/catalogue/export', { headers: { cookie: admin } })).body;
    await written('POST', '/api/admin/catalogue/import?dryRun=true', exported, admin);
    expect((await getProblems(['/api/admin/catalogue/changes?limit=20'], admin)).problems).toEqual([]);
  });

  it('documents the answers of registering, moving and signing in', async () => {
    const dispatcher = await t.login('dispatcher');
    const answer = async (method: string, path: string, body: unknown, cookie = dispatcher) => {
      const res = await t.request(path, {
        method,
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify(body),
      });
      const json = await res.json();
      expect(res.status, `${method} ${path}: ${JSON.stringify(json).slice(0, 300)}`).toBeLessThan(300);
      expect(bodyProblems(path, res.status, (res.headers.get('content-type') ?? '').split(';')[0], json, method.toLowerCase())).toEqual([]);
      return json;
    };
    // Kept for triage, so that the dispatcher's assignment is a move of its own to check.
    const created = (await t.register(dispatcher, 'Schema check: a pothole by the bus stop', { triage: true })).body;
    expect(bodyProblems('/api/incidents', 201, 'application/json', created, 'post')).toEqual([]);
    const page = (await t.json(`/api/incidents/${created.id}`, { headers: { cookie: dispatcher } })).body;
    const move = page.allowed.find((m: any) => m.to === 'assigned' || m.to === 'in_progress');
    expect(move, JSON.stringify(page.allowed)).toBeDefined();
    await answer('POST', `/api/incidents/${created.id}/transitions`, { to: move.to, version: created.version, note: 'schema check' });
    await answer('POST', '/api/auth/login', { login: 'official', password: (await import('../../server/users.ts')).DEMO_PASSWORD });
  });

  it('gives every JSON success answer a schema that says something', () => {
    const empty: string[] = [];
    let json = 0;
    for (const [path, item] of Object.entries<any>(doc.paths))
      for (const [method, op] of Object.entries<any>(item))
        for (const [status, r] of Object.entries<any>(op.responses)) {
          if (!/^2/.test(status) || !r.content) continue;
          for (const [type, media] of Object.entries<any>(r.content)) {
            if (!JSON_TYPES.has(type)) continue;
            json++;
            if (!media.schema || Object.keys(media.schema).length === 0) empty.push(`${method.toUpperCase()} ${path} ${status} ${type}`);
          }
        }
    expect(empty).toEqual([]);
    expect(json).toBeGreaterThan(50);
  });

  it('rejects a body that does not match its description', async () => {
    const admin = await t.login('admin');
    const health = (await t.json('/api/health')).body;
    expect(bodyProblems('/api/health', 200, 'application/json', health)).toEqual([]);
    // A value outside its enum, a missing member, a member nobody documented, a wrong type.
    expect(
      bodyProblems('/api/health', 200, 'application/json', { ...health, database: { ...health.database, engine: 'sqlite' } }),
    ).not.toEqual([]);
    expect(bodyProblems('/api/health', 200, 'application/json', { status: 'ok' })).not.toEqual([]);
    const summary = (await t.json('/api/stats/summary', { headers: { cookie: admin } })).body;
    expect(bodyProblems('/api/stats/summary', 200, 'application/json', summary)).toEqual([]);
    expect(bodyProblems('/api/stats/summary', 200, 'application/json', { ...summary, city: { ...summary.city, extra: 1 } })).not.toEqual(
      [],
    );
    const page = (await t.json('/api/incidents?limit=2', { headers: { cookie: admin } })).body;
    expect(bodyProblems('/api/incidents', 200, 'application/geo+json', page)).toEqual([]);
    const [first] = page.features;
    const wrong = { ...page, features: [{ ...first, properties: { ...first.properties, priority: 'high' } }] };
    expect(bodyProblems('/api/incidents', 200, 'application/geo+json', wrong).join()).toMatch(/priority/);
    // The right body under the wrong media type.
    expect(bodyProblems('/api/incidents', 200, 'application/json', page)).not.toEqual([]);
  });

  it('says security: [] on public operations and names the session on the others', () => {
    expect(doc.paths['/api/health'].get.security).toEqual([]);
    expect(doc.paths['/api/meta'].get.security).toEqual([]);
    expect(doc.paths['/tiles/incidents/{z}/{x}/{y}.mvt'].get.security).toEqual([]);
    expect(doc.paths['/api/control'].get.security).toEqual([{ session: [] }]);
    for (const [path, item] of Object.entries<any>(doc.paths))
      for (const [method, op] of Object.entries<any>(item)) {
        expect(op.security, `${method} ${path}`).toBeDefined();
        expect(op.responses['429'], `${method} ${path}`).toBeDefined();
      }
    expect(doc.paths['/api/incidents/{id}'].get.responses['404']).toBeDefined();
    expect(doc.paths['/api/incidents'].get.responses['503']).toBeDefined();
  });
});
