import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

/**
 * Issue 21: /api/openapi.json against the live API. Every parameterless GET, the GETs that need
 * parameters (called with valid ones) and a few with ids are called; the status must be
 * documented, the Content-Type must be the documented media type, and the body must validate
 * against the documented schema (Ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses). Every JSON
 * success answer has a real schema (made from the zod definitions in server/contract), so a body
 * that drifts from its description fails here. Public operations say `security: []`.
 */
const t = testApp();
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
  return validate(body) ? [] : [`${path}: ${ajv.errorsText(validate.errors?.slice(0, 3))}`];
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
    );
    const problems: string[] = [];
    let checked = 0;
    for (const path of paths) {
      const res = await t.request(path, { headers: { cookie: admin } });
      // Every body is read: a streamed export left unread would keep its database client.
      const text = await res.text();
      const type = (res.headers.get('content-type') ?? '').split(';')[0];
      if (res.status >= 400) problems.push(`${path}: answered ${res.status} ${text.slice(0, 200)}`);
      problems.push(...bodyProblems(path, res.status, type, JSON_TYPES.has(type) ? JSON.parse(text) : text));
      if (JSON_TYPES.has(type)) checked++;
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(30);
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
    const created = (await t.register(dispatcher, 'Schema check: a pothole by the bus stop')).body;
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
